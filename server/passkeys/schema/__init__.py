from passkeys.schema.mutations import Mutation
from passkeys.schema.queries import Query

__all__ = ["Mutation", "Query"]

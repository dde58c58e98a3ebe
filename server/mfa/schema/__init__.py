from mfa.schema.mutations import Mutation
from mfa.schema.queries import Query

__all__ = ["Mutation", "Query"]

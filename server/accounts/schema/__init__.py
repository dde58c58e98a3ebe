from accounts.schema.mutations import Mutation
from accounts.schema.queries import Query

__all__ = ["Mutation", "Query"]

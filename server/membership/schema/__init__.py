from membership.schema.mutations import Mutation
from membership.schema.queries import Query

__all__ = ["Mutation", "Query"]

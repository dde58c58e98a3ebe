from tokens.schema.mutations import Mutation
from tokens.schema.queries import Query

__all__ = ["Mutation", "Query"]

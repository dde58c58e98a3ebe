from content.schema.queries import Query

__all__ = ["Query"]

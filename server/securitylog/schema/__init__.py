from securitylog.schema.queries import Query

__all__ = ["Query"]

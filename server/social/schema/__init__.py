from social.schema.mutations import Mutation

__all__ = ["Mutation"]

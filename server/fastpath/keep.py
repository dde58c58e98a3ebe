"""What a computed answer must be like to be kept and handed to later requests (the shared
content cache, the remembered `me` answers)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse


def keepable(errors: Any, sub_response: HttpResponse) -> bool:
    """No errors, and no status, header or cookie set by a resolver: a stored answer is
    served as bare JSON, so anything the response carried beside the body would be lost."""
    if errors or sub_response.status_code != 200 or sub_response.cookies:
        return False
    return all(name.lower() == "content-type" for name, _ in sub_response.items())

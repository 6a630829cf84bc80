"""Request bodies bounded before they are read (issue 26): what a view declares, what the middleware applies
(portal.middleware.RequestBodyLimitMiddleware).

A view accepts a file only if it says so with `@accepts_upload(max_bytes, message)`; every other view (every public
one among them) refuses a body longer than DATA_UPLOAD_MAX_MEMORY_SIZE and a file of any size. The largest limit is
UPLOAD_MAX_REQUEST_SIZE, the proxy's `client_max_body_size` (deploy/nginx/mcp.conf.template).
"""

from collections.abc import Callable

from django.core.files.uploadhandler import FileUploadHandler

FILE_REFUSED = "Ce formulaire n'accepte pas de fichier."
TOO_LARGE = "La demande est trop volumineuse."


def accepts_upload(max_bytes: int, message: str) -> Callable:
    """The view takes files, in a request body of at most `max_bytes` (its Content-Length, checked before anything
    is read); a longer one is refused with `message`, in French, saying the limit the person can act on."""

    def decorator(view: Callable) -> Callable:
        view.upload_limit = (max_bytes, message)
        return view

    return decorator


class FileRefused(Exception):
    pass


class NoFileUploadHandler(FileUploadHandler):
    """The upload handler of the views that take no file: the first file part stops the parsing at its headers,
    before a byte of its content is kept in memory or spooled to disk."""

    def new_file(self, *args, **kwargs):
        raise FileRefused

    def receive_data_chunk(self, raw_data, start):  # never reached: new_file refused the file
        raise FileRefused

    def file_complete(self, file_size):
        return None

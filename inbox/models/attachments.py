"""Files on conversation parts, and the storage every stored file goes to."""

from typing import Any, cast

from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.functional import LazyObject

from inbox.models.conversations import (
    Part,
)


class CurrentAttachmentStorage(LazyObject):
    """STORAGES["attachments"] (settings.py), looked up at each use rather than once when the models load: a
    FileField calls its storage callable once, at import, and a settings override (the tests' temporary folder)
    would otherwise never reach the field. `storages` keeps one instance per alias, so each use is a dict lookup."""

    def __getattribute__(self, name: str) -> Any:
        if name == "_wrapped":
            return storages["attachments"]
        return super().__getattribute__(name)

    def _setup(self) -> None:
        pass  # nothing to make: `_wrapped` is looked up at each use

    def __deepcopy__(self, memo: dict[int, Any]) -> "CurrentAttachmentStorage":
        return self  # a copy would keep today's storage


ATTACHMENT_STORAGE = CurrentAttachmentStorage()


def attachment_storage() -> Storage:
    """Where attachments are kept (the storage of the attachment models' FileField, named in their migrations)."""
    return cast(Storage, ATTACHMENT_STORAGE)


class StoredAttachment(models.Model):
    """A file attached to a timeline entry, as inbox/attachments.py checked and stored it: its name made safe, its
    type read from its bytes (never the name's or the sender's claim). The stored file's name is random; the name
    shown is `name`. Rows are never changed once written."""

    file = models.FileField(storage=attachment_storage, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Shown as a thumbnail: only allowed images are ever stored with an image type (inbox.attachments)."""
        return self.content_type.startswith("image/")


class Attachment(StoredAttachment):
    """A file on a conversation part. It reaches a customer only with its part (a customer message or a reply of
    their own conversation: inbox.selectors.get_customer_attachment)."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="attachments")

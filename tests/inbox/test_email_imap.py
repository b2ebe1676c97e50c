"""An IMAP mailbox polled for mail (inbox.mail.imap), against a real Dovecot (Debian's dovecot-imapd, which `make test`
installs) started for these tests on a port of their own."""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from imap_tools import AND, MailBoxUnencrypted

from inbox.mail.imap import poll_mailbox
from inbox.models import Conversation, InboundEmail
from tests.inbox.mail_messages import raw_email

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dovecot():
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.fail("These tests need Dovecot: `make test` installs dovecot-imapd.")
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir()
    (root / "users").write_text("help:{PLAIN}secret\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port))
    shutil.chown(root / "mail", "dovecot", "dovecot")
    shutil.chown(root / "home", "dovecot", "dovecot")
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox_settings(settings, dovecot):
    settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", dovecot, False
    settings.IMAP_USER, settings.IMAP_PASSWORD, settings.IMAP_FOLDER = "help", "secret", "INBOX"
    with MailBoxUnencrypted("127.0.0.1", dovecot).login("help", "secret") as box:
        box.delete([message.uid for message in box.fetch(mark_seen=False) if message.uid])
        yield box


def test_polling_stores_new_messages_once_and_flags_them_seen(db, mailbox_settings, apply_outbox, settings):
    box = mailbox_settings
    box.append(raw_email(subject="From IMAP", body="Polled in."), "INBOX", flag_set=[])
    box.append(raw_email(sender="bob@example.com", subject="Second"), "INBOX", flag_set=[])

    assert poll_mailbox() == 2
    assert poll_mailbox() == 0
    apply_outbox()

    assert sorted(Conversation.objects.values_list("subject", flat=True)) == ["From IMAP", "Second"]
    with MailBoxUnencrypted("127.0.0.1", settings.IMAP_PORT).login("help", "secret") as fresh:  # sees others' flags
        assert not list(fresh.fetch(AND(seen=False), mark_seen=False))


def test_a_message_handed_over_twice_is_stored_once(db, mailbox_settings):
    box = mailbox_settings
    box.append(raw_email(subject="Twice"), "INBOX", flag_set=[])
    poll_mailbox()
    (message,) = box.fetch(mark_seen=False)
    box.flag(message.uid, "\\Seen", False)  # as if the worker died after storing it, before flagging it

    poll_mailbox()

    assert InboundEmail.objects.count() == 1

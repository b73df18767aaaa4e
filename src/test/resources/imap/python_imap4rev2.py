"""imaplib against Sealmail over TLS: ENABLE IMAP4rev2 and what changes with it. Exits non-zero on failure."""
import imaplib
import os
import ssl
import sys

ctx = ssl.create_default_context(cafile=os.environ["CA"])


def check(cond, what, got=None):
    if not cond:
        print("FAIL " + what + ": " + repr(got))
        sys.exit(1)
    print("ok " + what)


class Client(imaplib.IMAP4_SSL):
    """Connects to HOST (a 127.0.6.x address) and checks the certificate for localhost, which it names."""

    def _create_socket(self, timeout):
        sock = imaplib.IMAP4._create_socket(self, timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname="localhost")


m = Client(os.environ["HOST"], int(os.environ["IMAPS"]), ssl_context=ctx)
check("IMAP4REV2" in m.capabilities and "IMAP4REV1" in m.capabilities, "both revisions advertised", m.capabilities)
m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
typ, data = m.enable("IMAP4rev2")
enabled = m.untagged_responses.pop("ENABLED", [])
check(typ == "OK" and enabled == [b"IMAP4rev2"], "enable IMAP4rev2", (typ, data, enabled))
check(m.utf8_enabled is False, "imaplib's own UTF-8 mode untouched", m.utf8_enabled)

typ, data = m.select("INBOX", readonly=True)
check(typ == "OK" and data == [b"3"], "select", data)
check("RECENT" not in m.untagged_responses or m.untagged_responses["RECENT"] == [], "no RECENT", m.untagged_responses)
lists = m.untagged_responses.pop("LIST", [])
check(lists == [b'(\\HasNoChildren) "/" "INBOX"'], "select sends LIST", lists)

typ, data = m.search(None, "ALL")
esearch = m.untagged_responses.pop("ESEARCH", [])
check(typ == "OK" and data == [None] and len(esearch) == 1 and esearch[0].endswith(b") ALL 1:3"),
      "search answers ESEARCH", (data, esearch))
typ, data = m.uid("SEARCH", "SUBJECT", "m2")
esearch = m.untagged_responses.pop("ESEARCH", [])
check(typ == "OK" and esearch[0].endswith(b") UID ALL 2"), "uid search answers ESEARCH", esearch)

typ, data = m.list('""', "%")
check(typ == "OK" and b'(\\NonExistent \\HasChildren) "/" "Lists"' in data, "missing parent is \\NonExistent", data)
typ, data = m.status("INBOX", "(MESSAGES SIZE DELETED)")
check(typ == "OK" and b"MESSAGES 3 SIZE " in data[0] and data[0].endswith(b"DELETED 0)"), "status size/deleted", data)
m.logout()
print("ALL OK")

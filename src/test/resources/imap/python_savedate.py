"""imaplib against Sealmail over TLS for SAVEDATE (RFC 8514). Exits non-zero on failure."""
import imaplib
import os
import re
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
m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
caps = m.capability()[1][0].decode().split()
check("SAVEDATE" in caps, "capability after login", caps)
m.select("INBOX")
typ, data = m.fetch("1", "(INTERNALDATE SAVEDATE)")
check(typ == "OK" and b'INTERNALDATE "01-Jan-2020 10:00:00 +0000" SAVEDATE "' in data[0], "fetch savedate", data)
# imaplib parses INTERNALDATE only; a SAVEDATE is the same date-time syntax.
saved = imaplib.Internaldate2tuple(b'INTERNALDATE "' + re.search(rb'SAVEDATE "([^"]+)"', data[0]).group(1) + b'"')
check(saved is not None and saved.tm_year >= 2026, "the save date is a date of now", saved)
typ, data = m.search(None, "SAVEDON", os.environ["TODAY"])
check(typ == "OK" and data == [b"1"], "search savedon today", data)
typ, data = m.search(None, "SAVEDBEFORE", "1-Jan-2021")
check(typ == "OK" and data == [b""], "search savedbefore", data)
typ, data = m.search(None, "SAVEDATESUPPORTED")
check(typ == "OK" and data == [b"1"], "search savedatesupported", data)
m.logout()
print("ALL OK")

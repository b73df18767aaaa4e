"""imaplib against Sealmail over TLS for SEARCHRES (RFC 5182) and ESORT (RFC 5267). Exits non-zero on failure."""
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
m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
caps = m.capability()[1][0].decode().split()
check("SEARCHRES" in caps and "ESORT" in caps, "capabilities", caps)
m.select("Py")

typ, data = m.search(None, "RETURN", "(SAVE)", "SUBJECT", "beta")
check(typ == "OK" and data == [None], "search return (save) answers no search response", data)
typ, data = m.fetch("$", "(UID)")
check(typ == "OK" and data == [b"2 (UID 2)", b"5 (UID 5)"], "fetch $", data)
typ, data = m.uid("SEARCH", "$")
check(typ == "OK" and data == [b"2 5"], "uid search $", data)
typ, data = m.store("$", "+FLAGS", "(\\Flagged)")
check(typ == "OK" and len(data) == 2, "store $", data)
typ, data = m.search(None, "FLAGGED")
check(data == [b"2 5"], "stored on exactly $", data)

typ, data = m._simple_command("UID", "SORT", "RETURN", "(MIN MAX COUNT ALL)", "(SUBJECT)", "UTF-8", "ALL")
esearch = m.untagged_responses.pop("ESEARCH", [b""])[0].decode()
check(typ == "OK" and esearch.endswith(") UID MIN 3 MAX 4 ALL 3,2,5:6,1,4 COUNT 6"), "esort", esearch)
typ, data = m._simple_command("SORT", "RETURN", "(SAVE)", "(REVERSE SIZE)", "UTF-8", "SUBJECT", "beta")
check(typ == "OK" and "ESEARCH" not in m.untagged_responses, "sort return (save)", m.untagged_responses)
typ, data = m.fetch("$", "(UID)")
check(data == [b"2 (UID 2)", b"5 (UID 5)"], "fetch $ after sort", data)

# RFC 5267 §4.4 PARTIAL: a page of a result, as clients page a large folder.
typ, data = m._simple_command("SEARCH", "RETURN", "(PARTIAL 2:3 COUNT)", "ALL")
esearch = m.untagged_responses.pop("ESEARCH", [b""])[0].decode()
check(typ == "OK" and esearch.endswith(") PARTIAL (2:3 2:3) COUNT 6"), "search partial", esearch)
typ, data = m._simple_command("UID", "SORT", "RETURN", "(PARTIAL 1:3)", "(SUBJECT)", "UTF-8", "ALL")
esearch = m.untagged_responses.pop("ESEARCH", [b""])[0].decode()
check(typ == "OK" and esearch.endswith(") UID PARTIAL (1:3 3,2,5)"), "sort partial", esearch)

try:
    m.fetch("1,$", "(UID)")
    check(False, "1,$ refused")
except imaplib.IMAP4.error as e:
    check("BAD" in str(e) or "Invalid" in str(e), "1,$ refused", str(e))
m.logout()
print("ALL OK")

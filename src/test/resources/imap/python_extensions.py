"""imaplib against Sealmail over TLS for QUOTA, STATUS=SIZE, LIST-STATUS, ESEARCH and WITHIN. Exits non-zero on failure."""
import imaplib
import os
import ssl
import sys

ctx = ssl.create_default_context(cafile=os.environ["CA"])
quota_kib = int(os.environ["QUOTA_KIB"])


def check(cond, what, got=None):
    if not cond:
        print("FAIL " + what + ": " + repr(got))
        sys.exit(1)
    print("ok " + what)


m = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IMAPS"]), ssl_context=ctx)
m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
caps = m.capability()[1][0].decode().split()
check("QUOTA" in caps and "ESEARCH" in caps and "LIST-STATUS" in caps and "STATUS=SIZE" in caps and "WITHIN" in caps,
      "capabilities", caps)

typ, data = m.getquotaroot("INBOX")
check(typ == "OK" and data[0][0] == b'"INBOX" ""', "getquotaroot names the root", data)
quota = data[1][0].decode()
check(quota.startswith('"" (STORAGE ') and quota.endswith(" %d)" % quota_kib), "getquotaroot gives the limit", data)
typ, data = m.getquota('""')
check(typ == "OK" and data[0].decode() == quota, "getquota agrees", data)
typ, data = m.setquota('""', "(STORAGE 1)")
check(typ == "NO", "setquota refused", data)

typ, data = m.status("INBOX", "(MESSAGES SIZE)")
check(typ == "OK" and b"SIZE " in data[0], "status size", data)
size = int(data[0].decode().split("SIZE ")[1].rstrip(")"))
used_kib = int(quota.split()[2])
check((size + 1023) // 1024 <= used_kib, "size within the quota's usage", (size, used_kib))

typ, data = m._simple_command("LIST", '""', "*", "RETURN", "(STATUS (MESSAGES UIDNEXT))")
statuses = m.untagged_responses.pop("STATUS", [])
lists = m.untagged_responses.pop("LIST", [])
check(typ == "OK" and len(statuses) == len(lists) and any(s.startswith(b'"INBOX" (MESSAGES ') for s in statuses),
      "list-status: one STATUS per folder", (lists, statuses))

m.select("INBOX")
typ, data = m._simple_command("UID", "SEARCH", "RETURN", "(MIN MAX COUNT)", "ALL")
esearch = m.untagged_responses.pop("ESEARCH", [b""])[0].decode()
check(typ == "OK" and " UID MIN 1 " in esearch and " COUNT " in esearch, "esearch", esearch)
typ, data = m.search(None, "YOUNGER", "3600")
check(typ == "OK" and data[0].split()[0] == b"1", "within: younger", data)
typ, data = m.search(None, "OLDER", "3600")
check(typ == "OK" and data[0] == b"", "within: older", data)
m.logout()
print("ALL OK")

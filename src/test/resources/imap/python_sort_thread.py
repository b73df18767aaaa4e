"""imaplib's sort() and thread() (and UID SORT/THREAD) against Sealmail over TLS, trusting only our CA."""
import imaplib
import os
import ssl
import sys

ctx = ssl.create_default_context(cafile=os.environ["CA"])
m = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IMAPS"]), ssl_context=ctx)


def check(cond, what, got):
    print(("ok " if cond else "FAIL ") + what + ": " + repr(got))
    if not cond:
        sys.exit(1)


m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
typ, caps = m.capability()
check(b"SORT" in caps[0].split() and b"THREAD=REFERENCES" in caps[0].split()
      and b"THREAD=REFS" in caps[0].split() and b"I18NLEVEL=1" in caps[0].split(), "capabilities", caps)
m.select("INBOX")
typ, data = m.sort("(FROM)", "UTF-8", "ALL")
check(typ == "OK" and data == [b"2 6 5 1 9 7 8 4 3"], "sort FROM", data)
typ, data = m.sort("(REVERSE DATE)", "UTF-8", "ALL")
check(typ == "OK" and data[0].endswith(b" 8 7 2 1 4 5 6") and sorted(data[0].split()[:2]) == [b"3", b"9"], "sort REVERSE DATE", data)
typ, data = m.sort("(SUBJECT)", "US-ASCII", "FROM", "dave")
check(typ == "OK" and data == [b"7 8"], "sort with search criteria", data)
typ, data = m.uid("SORT", "(REVERSE SUBJECT)", "UTF-8", "NOT", "FROM", "dave")
check(typ == "OK" and data == [b"1 2 9 4 5 6 3"], "uid sort", data)
typ, data = m.thread("REFERENCES", "UTF-8", "ALL")
check(typ == "OK" and data == [b"((6)(5)(4))(1 (2 3)(9))(8 7)"], "thread REFERENCES", data)
typ, data = m.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
check(typ == "OK" and data == [b"(6 (5)(4))(1 (2)(9))(7 8)(3)"], "thread ORDEREDSUBJECT", data)
typ, data = m.thread("REFS", "UTF-8", "ALL")
check(typ == "OK" and data == [b"(6)((5)(4))(8 7)(1 2 3)(9)"], "thread REFS", data)
typ, data = m.uid("THREAD", "REFS", "UTF-8", "NOT", "2")
check(typ == "OK" and data == [b"(6)((5)(4))(8 7)(1 3)(9)"], "uid thread REFS", data)
typ, data = m.uid("THREAD", "REFERENCES", "UTF-8", "SUBJECT", "lunch")
check(typ == "OK" and data == [b"(1 (2)(9))"], "uid thread", data)
# I18NLEVEL=1: i;unicode-casemap, "Émile" (an encoded word) sorts as E + combining acute + MILE, and is found by
# "ÉMILE" sent as a UTF-8 literal
typ, data = m.sort("(DISPLAYFROM)", "UTF-8", "ALL")
check(typ == "OK" and data == [b"2 6 5 1 9 7 8 4 3"], "sort DISPLAYFROM", data)
m.literal = "ÉMILE".encode("utf-8")
typ, data = m.search("UTF-8", "FROM")
check(typ == "OK" and data == [b"4"], "search FROM with a UTF-8 literal", data)
typ, data = m.sort("(DATE)", "KOI8-R", "ALL")
check(typ == "NO" and b"BADCHARSET" in data[0], "unknown charset refused", data)
try:
    m.thread("BOGUS", "UTF-8", "ALL")
    check(False, "unknown algorithm refused", None)
except imaplib.IMAP4.error as e:
    check("Unknown thread algorithm" in str(e), "unknown algorithm refused", str(e))
m.logout()
print("ALL OK")

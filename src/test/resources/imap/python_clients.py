"""imaplib and poplib against Sealmail over TLS, trusting only our CA. Prints one line per check; exits non-zero on failure."""
import imaplib
import os
import poplib
import ssl
import sys

host = "127.0.0.1"
ca = os.environ["CA"]
user = os.environ["USER_NAME"]
password = os.environ["PASSWORD"]
ctx = ssl.create_default_context(cafile=ca)


def check(cond, what):
    if not cond:
        print("FAIL " + what)
        sys.exit(1)
    print("ok " + what)


# IMAPS (993-style implicit TLS)
m = imaplib.IMAP4_SSL(host, int(os.environ["IMAPS"]), ssl_context=ctx)
typ, _ = m.login(user, password)
check(typ == "OK", "imaps login")
typ, boxes = m.list()
check(typ == "OK" and any(b'\\Sent' in b for b in boxes), "imaps list with special-use")
typ, data = m.select("INBOX")
count = int(data[0])
check(typ == "OK" and count >= 1, "imaps select")
typ, data = m.uid("fetch", "1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] FLAGS)")
check(typ == "OK" and b"Subject: python" in data[0][1], "imaps uid fetch header fields")
typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
check(typ == "OK" and b"\\Flagged" in data[0], "imaps store flags")
typ, data = m.search(None, "FLAGGED")
check(data[0].split()[0] == b"1", "imaps search flagged")
typ, data = m.append("Drafts", "(\\Draft)", None, b"Subject: from python\r\n\r\nbody\r\n")
check(typ == "OK" and b"APPENDUID" in data[0], "imaps append with APPENDUID")
m.logout()

# IMAP on the plaintext port: LOGIN refused before STARTTLS, accepted after
p = imaplib.IMAP4(host, int(os.environ["IMAP"]))
check("LOGINDISABLED" in p.capabilities and "STARTTLS" in p.capabilities, "imap advertises STARTTLS and LOGINDISABLED")
try:
    p.login(user, password)
    check(False, "imap login before STARTTLS refused")
except imaplib.IMAP4.error:
    print("ok imap login before STARTTLS refused")
p.starttls(ssl_context=ctx)
check("LOGINDISABLED" not in p.capabilities, "imap capabilities re-issued after STARTTLS")
typ, _ = p.login(user, password)
check(typ == "OK", "imap login after STARTTLS")
typ, data = p.status("INBOX", "(MESSAGES UIDNEXT)")
check(typ == "OK" and b"MESSAGES" in data[0], "imap status")
p.logout()

# POP3S and POP3 + STLS
s = poplib.POP3_SSL(host, int(os.environ["POP3S"]), context=ctx)
s.user(user)
s.pass_(password)
n, size = s.stat()
check(n >= 1, "pop3s stat")
resp, lines, octets = s.retr(1)
check(any(l.startswith(b"Subject: python") for l in lines), "pop3s retr")
uidl = s.uidl()[1]
s.quit()

q = poplib.POP3(host, int(os.environ["POP3"]))
check("STLS" in q.capa(), "pop3 capa lists STLS")
try:
    q.user(user)
    check(False, "pop3 USER before STLS refused")
except poplib.error_proto as e:
    check(b"[AUTH]" in e.args[0], "pop3 USER before STLS refused with [AUTH]")
q.stls(context=ctx)
q.user(user)
q.pass_(password)
check(q.uidl()[1] == uidl, "pop3 uidl stable across sessions")
q.quit()
print("ALL OK")

package io.sealmail.engine.imap;

/** RFC 9051 §3: the connection states. */
public enum ImapState { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

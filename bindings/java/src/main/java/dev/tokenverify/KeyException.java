package dev.tokenverify;

/** Statuses 5xx: no usable key (kid not found, key set unavailable or stale, invalid key set). */
public class KeyException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  KeyException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

package dev.tokenverify;

/** Statuses 1xx: the bytes are not a well-formed token (structure, base64url, JSON). */
public class MalformedTokenException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  MalformedTokenException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

package dev.tokenverify;

/** Statuses 3xx: the signature does not verify, or has the wrong length. */
public class SignatureException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  SignatureException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

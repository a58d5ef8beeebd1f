package dev.tokenverify;

/** Statuses 2xx: the header or its algorithm is refused (alg none, not allowed, crit, typ). */
public class HeaderException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  HeaderException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

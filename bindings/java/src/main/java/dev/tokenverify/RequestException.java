package dev.tokenverify;

/** Statuses 6xx: a request credential other than a JWT is refused (Basic, API key, HMAC, rules). */
public class RequestException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  RequestException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

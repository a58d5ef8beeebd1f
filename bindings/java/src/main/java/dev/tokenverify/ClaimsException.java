package dev.tokenverify;

/** Statuses 4xx: the signature verified but the times or claims are refused (expired, issuer, audience, revoked). */
public class ClaimsException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  ClaimsException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}

package dev.tokenverify;

/**
 * The application's check of a credential for a {@code "basic"} or {@code "apiKey"} auth marked
 * {@code "validator": true} (the main README's "Custom validators"). Called on the thread that
 * runs {@link Verifier#authenticate(Request)}, possibly from several threads at once. An
 * exception thrown by it refuses the credential.
 */
@FunctionalInterface
public interface Validator {
  /** True to accept {@code credential}. */
  boolean validate(Credential credential);

  /**
   * A credential handed to the validator: the rule's name (or index), the method ({@link
   * AuthMethod#BASIC} or {@link AuthMethod#API_KEY}), the user name (Basic) or the key (API
   * key), and the password (Basic; empty for an API key).
   */
  record Credential(String rule, AuthMethod method, String user, String password) {
    @Override
    public String toString() {
      return "Credential[rule=" + rule + ", method=" + method + ", user=" + user + "]";  // no password in logs
    }
  }
}

package dev.tokenverify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What the tests share: the repository's files, and signing tokens with the JDK's crypto. */
final class Support {
  private Support() {}

  /** The repository root (surefire runs the tests there). */
  static final Path ROOT = Path.of(System.getProperty("tokenverify.root", ".")).toAbsolutePath().normalize();

  static String read(String relative) {
    try {
      return Files.readString(ROOT.resolve(relative)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String b64u(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String b64u(String s) {
    return b64u(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] unb64u(String s) {
    return Base64.getUrlDecoder().decode(s);
  }

  /** An HS256 token of {@code payload} (a JSON object) under {@code secret}. */
  static String hs256(byte[] secret, String header, String payload) {
    try {
      String input = b64u(header) + "." + b64u(payload);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + b64u(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RS256 token of {@code payload} with header kid {@code kid}. */
  static String rs256(PrivateKey key, String kid, String payload) {
    try {
      String input = b64u("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}") + "." + b64u(payload);
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64u(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** The hs256 example's secret and configuration (issuer example.tokenverify.dev, audience my-api). */
  static final String HS256_SECRET_B64U = "A0wdQAlURUrx71rzMyV7yDDJuB9ctUJVFZrQQvM3Dag";
  static final byte[] HS256_SECRET = unb64u(HS256_SECRET_B64U);

  static String hs256Config() {
    return "{\"providers\":[{\"name\":\"hs\",\"issuer\":\"example.tokenverify.dev\",\"audiences\":[\"my-api\"],"
        + "\"algorithms\":[\"HS256\"],\"secret\":{\"base64url\":\"" + HS256_SECRET_B64U + "\"}}]}";
  }

  static String hs256Token(String extraClaims) {
    long now = now();
    String payload = "{\"iss\":\"example.tokenverify.dev\",\"aud\":\"my-api\",\"sub\":\"alice\",\"iat\":" + (now - 10)
        + ",\"exp\":" + (now + 600) + (extraClaims.isEmpty() ? "" : "," + extraClaims) + "}";
    return hs256(HS256_SECRET, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
  }

  /** Number of native threads of this process. */
  static int nativeThreads() {
    try (var s = Files.list(Path.of("/proc/self/task"))) {
      return (int) s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

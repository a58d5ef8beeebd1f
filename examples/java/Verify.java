import dev.tokenverify.Claims;
import dev.tokenverify.TokenVerifyException;
import dev.tokenverify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;

/** Verifies the kgateway example's token and prints some of its claims. Run from the repository root. */
public class Verify {
  public static void main(String[] args) throws Exception {
    String config = Files.readString(Path.of("examples/kgateway/config.json"));
    String token = Files.readString(Path.of("examples/kgateway/token.jwt")).strip();
    try (Verifier verifier = Verifier.create(config); Claims claims = verifier.verify(token)) {
      System.out.println("verified: sub=" + claims.getString("sub") + " team=" + claims.getString("team")
          + " exp=" + claims.getLong("exp") + " provider=" + claims.provider());
    } catch (TokenVerifyException e) {
      System.err.println(e.name() + " (" + e.code() + "): " + e.getMessage());
      System.exit(1);
    }
  }
}

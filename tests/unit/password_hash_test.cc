// Basic passwords: every stored format against known answers made by other
// tools (Python's crypt on libxcrypt, `openssl passwd -apr1`, the argon2
// reference library, Apache's documentation), malformed hashes refused at
// load, and BasicUsers: unknown users, the remembered-success cache, bounds,
// and threads.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "request/basic_users.h"
#include "request/password_hash.h"

namespace tokenverify::internal {
namespace {

struct Known {
  const char* stored;
  const char* scheme;
  const char* password;
};

// All of "pw-one" except Apache's own $apr1$ example (htpasswd documentation: "myPassword").
const Known kKnown[] = {
    {"$2b$04$ABCDEFGHIJKLMNOPQRSTUurCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO", "bcrypt", "pw-one"},
    {"$2a$04$ABCDEFGHIJKLMNOPQRSTUurCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO", "bcrypt", "pw-one"},
    {"$5$rounds=1000$saltsalt$l4mwx5z9bb9B4lLHYU5PL8rX3B2j5YWXuWoXD8wXee4", "sha256crypt", "pw-one"},
    {"$6$rounds=1000$saltsalt$OXXEDbjCsZtKEoxoe66wj082xjzYuSK3tMJ8dOBCg2HlOaYwdllM1uDm8qxT.XmOvfnSEOlZUEt9FtijmNwRl0",
     "sha512crypt", "pw-one"},
    {"$y$j75$saltsaltsaltsalt$XiDjXpGA0I0xxGZKYJL9w.BEoaHMySo8jIvMeiz8zn/", "yescrypt", "pw-one"},
    {"$1$saltsalt$EzxqvF/RLmdVY6Ao7BGuR1", "md5crypt", "pw-one"},
    {"$apr1$saltsalt$/eYd4AkkPgsYRcsVKjKPg/", "apr1", "pw-one"},
    {"$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "apr1", "myPassword"},
    {"{SHA}SJkkuL+V/zXUZh0xJiB2iPgad78=", "sha1", "pw-one"},
    {"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$mxJ7mH4uLYyTOAbHuoiLGeHo6Dl4UAZ773QHlviPNPw", "argon2",
     "pw-one"},
    {"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$uX1s351BS/CBU4BN78tp8R8zDXE/71mZ7tdcQPjG6As", "argon2",
     "pw-one"},
    {"pw-one", "plain", "pw-one"},
};

TEST(PasswordHash, EveryFormatAcceptsItsPasswordAndNothingElse) {
  for (const Known& k : kKnown) {
    Error err;
    auto p = StoredPassword::Parse(k.stored, &err);
    ASSERT_TRUE(p.ok()) << k.stored << ": " << err.message;
    EXPECT_EQ(p->scheme_name(), k.scheme) << k.stored;
    const std::string right = k.password;
    EXPECT_TRUE(p->Matches(right)) << k.stored;
    std::string changed = right;
    changed[0] ^= 1;
    for (const std::string& wrong : {changed, right + "x", right.substr(0, right.size() - 1), std::string(),
                                     right + std::string(1, '\0'), std::string(1, '\0') + right}) {
      EXPECT_FALSE(p->Matches(wrong)) << k.stored << " accepted \"" << wrong << "\"";
    }
  }
}

TEST(PasswordHash, PlainTextIsNotKept) {
  Error err;
  auto p = StoredPassword::Parse("secret-text-123", &err);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme(), StoredPassword::Scheme::kPlain);
  const auto* bytes = reinterpret_cast<const char*>(&p.value());
  EXPECT_EQ(std::string_view(bytes, sizeof(StoredPassword)).find("secret-text"), std::string_view::npos);
  EXPECT_FALSE(p->slow());
}

TEST(PasswordHash, MalformedHashesAreConfigurationErrorsNotPlainText) {
  for (const char* bad :
       {"$2y$10$short", "$2y$99$ABCDEFGHIJKLMNOPQRSTUurCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO",
        "$2y$03$ABCDEFGHIJKLMNOPQRSTUurCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO",
        "$2y$17$ABCDEFGHIJKLMNOPQRSTUurCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO", "$5$saltsalt$tooshort", "$6$saltsalt$",
        "$y$j75$salt$short", "$1$salt$x", "$apr1$saltsalt$short", "$apr1$$/eYd4AkkPgsYRcsVKjKPg/", "{SHA}abc",
        "{SHA}SJkkuL+V/zXUZh0xJiB2iPgad78", "$argon2id$v=19$m=64,t=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=9999999,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2x$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=64,t=1,p=1$", "$md5$abc$def",
        "$3$$8846f7eaee8fb117ad06bdd830b7586c",
        // Well-formed but unusable (helper-8's review): each would load and never match.
        "$2b$04$ABCDEFGHIJKLMNOPQRSTUwrCt1IUCmT16Yk.OuEX1z1NKaqYjR4eO",
        "$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHRzYWx0c2FsdA$mxJ7mH4uLYyTOAbHuoiLGeHo6Dl4UAZ773QHlviPNPw",
        "$argon2id$v=19$m=64,m=64,p=1$c2FsdHNhbHRzYWx0c2FsdA$mxJ7mH4uLYyTOAbHuoiLGeHo6Dl4UAZ773QHlviPNPw",
        "{SHA}SJkkuL+V/zXUZh0xJiB2iPga!78=", "$y$zzz$saltsaltsaltsalt$XiDjXpGA0I0xxGZKYJL9w.BEoaHMySo8jIvMeiz8zn/"}) {
    Error err;
    auto p = StoredPassword::Parse(bad, &err);
    EXPECT_FALSE(p.ok()) << bad << " parsed as " << (p.ok() ? p->scheme_name() : "");
    EXPECT_EQ(err.status, Status::ERR_CONFIG) << bad;
    EXPECT_FALSE(err.message.empty()) << bad;
  }
  // sha-crypt rounds outside 1000..5000000: too few is refused by libxcrypt, too many takes minutes.
  for (const char* rounds : {"10", "999999999"}) {
    Error err;
    const std::string stored = std::string("$6$rounds=") + rounds + "$saltsalt$" + std::string(86, 'a');
    EXPECT_FALSE(StoredPassword::Parse(stored, &err).ok()) << stored;
  }
  // Text that merely contains '$' is a plain password.
  Error err;
  auto p = StoredPassword::Parse("pa$$word", &err);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme(), StoredPassword::Scheme::kPlain);
  EXPECT_TRUE(p->Matches("pa$$word"));
}

std::unique_ptr<BasicUsers> Users(const std::vector<std::pair<std::string, std::string>>& users,
                                  BasicUsers::Options options = {}) {
  Error err;
  auto b = BasicUsers::Build(users, &err, options);
  EXPECT_TRUE(b.ok()) << err.field << ": " << err.message;
  return b.ok() ? std::move(b).value() : nullptr;
}

const std::pair<std::string, std::string> kBcryptUser{"ann", kKnown[0].stored};

TEST(BasicUsers, UnknownUsersAndWrongPasswordsGetTheSameAnswer) {
  auto users = Users({kBcryptUser, {"bob", "bob-pw"}});
  ASSERT_TRUE(users);
  EXPECT_EQ(users->Check("ann", "pw-one", 0), Status::OK);
  EXPECT_EQ(users->Check("bob", "bob-pw", 0), Status::OK);
  EXPECT_EQ(users->Check("ann", "bob-pw", 0), Status::ERR_BAD_CREDENTIALS);
  EXPECT_EQ(users->Check("carl", "pw-one", 0), Status::ERR_BAD_CREDENTIALS);  // the dummy's own password
  EXPECT_EQ(users->Check("", "", 0), Status::ERR_BAD_CREDENTIALS);
  EXPECT_EQ(users->Check("Ann", "pw-one", 0), Status::ERR_BAD_CREDENTIALS);  // user names are exact
}

TEST(BasicUsers, SuccessesAreRememberedUntilTheyExpireAndFailuresNever) {
  auto users = Users({kBcryptUser}, {.remembered_entries = 64, .remembered_for_s = 300});
  ASSERT_TRUE(users);
  EXPECT_EQ(users->remembered(), 0u);
  EXPECT_EQ(users->Check("ann", "wrong", 1000), Status::ERR_BAD_CREDENTIALS);
  EXPECT_EQ(users->remembered(), 0u);
  EXPECT_EQ(users->Check("ann", "pw-one", 1000), Status::OK);
  EXPECT_EQ(users->remembered(), 1u);
  EXPECT_EQ(users->Check("ann", "pw-one", 1200), Status::OK);  // from the cache
  EXPECT_EQ(users->Check("ann", "pw-one1", 1200), Status::ERR_BAD_CREDENTIALS);
  EXPECT_EQ(users->Check("ann", "wrong", 1200), Status::ERR_BAD_CREDENTIALS);
  EXPECT_EQ(users->remembered(), 1u);
  EXPECT_EQ(users->Check("ann", "pw-one", 1400), Status::OK);  // expired: checked again, remembered again
}

TEST(BasicUsers, ZeroEntriesTurnTheCacheOff) {
  auto users = Users({kBcryptUser}, {.remembered_entries = 0, .remembered_for_s = 300});
  ASSERT_TRUE(users);
  EXPECT_EQ(users->Check("ann", "pw-one", 1000), Status::OK);
  EXPECT_EQ(users->remembered(), 0u);
}

TEST(BasicUsers, TheCacheStaysBoundedUnderAFloodOfDistinctSuccesses) {
  // Plain text needs no cache; a fast sha-crypt user makes distinct successes cheap to produce.
  std::vector<std::pair<std::string, std::string>> list;
  for (int i = 0; i < 300; ++i) list.emplace_back("u" + std::to_string(i), kKnown[5].stored);  // md5crypt "pw-one"
  auto users = Users(list, {.remembered_entries = 64, .remembered_for_s = 300});
  ASSERT_TRUE(users);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(users->Check("u" + std::to_string(i), "pw-one", i), Status::OK);
  EXPECT_LE(users->remembered(), 64u);
  EXPECT_GT(users->remembered(), 0u);
}

TEST(BasicUsers, ConfigurationErrorsNameTheUser) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> users;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{{{{"", "x"}}, "users[0].username"},
                                         {{{"a", "x"}, {"b:c", "x"}}, "users[1].username"},
                                         {{{"a", "x"}, {"a", "y"}}, "users[1].username"},
                                         {{{"a\n", "x"}}, "users[0].username"},
                                         {{{"a", "$2y$10$short"}}, "users[0].password"}}) {
    Error err;
    auto b = BasicUsers::Build(c.users, &err);
    EXPECT_FALSE(b.ok());
    EXPECT_EQ(err.field, c.field);
  }
}

TEST(Concurrency, BasicUsersFromManyThreads) {
  auto users = Users({kBcryptUser, {"bob", "bob-pw"}, {"cy", kKnown[5].stored}});
  ASSERT_TRUE(users);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const bool good = (i + t) % 3 != 0;
        const char* user = i % 2 ? "ann" : (i % 3 ? "cy" : "bob");
        const char* password = !good ? "nope" : (user[0] == 'b' ? "bob-pw" : "pw-one");
        if ((users->Check(user, password, 1000 + i) == Status::OK) != good) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tokenverify::internal

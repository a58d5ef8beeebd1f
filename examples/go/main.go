// Command verify checks a JWT with tokenverify's Go package:
//
//	verify CONFIG.json TOKEN_FILE
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	tokenverify "tokenverify/bindings/go"
)

func main() {
	config, _ := os.ReadFile(os.Args[1])
	token, _ := os.ReadFile(os.Args[2])
	v, err := tokenverify.NewVerifier(config) // build once, share between goroutines
	if err != nil {
		fmt.Println("bad configuration:", err) // *tokenverify.Error: Code, Name, Field, Detail
		os.Exit(3)
	}
	defer v.Close()

	claims, err := v.Verify(strings.TrimSpace(string(token)))
	if err != nil {
		fmt.Println("refused:", err, errors.Is(err, tokenverify.ErrClaims))
		os.Exit(1)
	}
	defer claims.Close()
	sub, _ := claims.String("sub")
	team, _ := claims.String("team")
	exp, _ := claims.Int64("exp")
	fmt.Printf("verified: sub=%s team=%s exp=%d provider=%s\n", sub, team, exp, claims.Provider())

	tampered := strings.TrimSpace(string(token))
	tampered = tampered[:len(tampered)-5] + "AAAAA" // another signature
	err = v.VerifyOnly(tampered)
	var e *tokenverify.Error
	if errors.As(err, &e) && errors.Is(err, tokenverify.ErrSignature) {
		fmt.Printf("tampered: %s (%d)\n", e.Name, e.Code)
	}
}

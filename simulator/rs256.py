"""RS256 JSON Web Tokens (RFC 7515, 7517, 7519) signed by an RSA key made with the standard library only."""
from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
from typing import Any

# The key id in the header of the docs' example token (products/iot/api/iot-public-api-new.md).
JWT_KEY_ID = "rsa-sign-pkcs1-2048-sha256/1"
# DER prefix of a SHA-256 DigestInfo (RFC 8017 section 9.2): what RS256 signs.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url(data: bytes) -> str:
    """Base64url without padding (JWS, RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _is_probable_prime(candidate: int, rounds: int = 40) -> bool:
    """Miller-Rabin."""
    for small in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47):
        if candidate % small == 0:
            return candidate == small
    odd, twos = candidate - 1, 0
    while odd % 2 == 0:
        odd, twos = odd // 2, twos + 1
    for _round in range(rounds):
        witness = pow(secrets.randbelow(candidate - 3) + 2, odd, candidate)
        if witness in (1, candidate - 1):
            continue
        for _square in range(twos - 1):
            witness = pow(witness, 2, candidate)
            if witness == candidate - 1:
                break
        else:
            return False
    return True


class RsaSigningKey:
    """An RSA key made when the first token is issued (standard library only), for RS256 JWTs and their JWKS."""

    def __init__(self, bits: int = 2048) -> None:
        self.e = 65537
        while True:
            primes = [self._prime(bits // 2) for _index in range(2)]
            phi = (primes[0] - 1) * (primes[1] - 1)
            if primes[0] != primes[1] and math.gcd(self.e, phi) == 1:
                break
        self.n = primes[0] * primes[1]
        self.d = pow(self.e, -1, phi)
        self.size = (self.n.bit_length() + 7) // 8

    @staticmethod
    def _prime(bits: int) -> int:
        while True:
            candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: the product has 2*bits
            if _is_probable_prime(candidate):
                return candidate

    def sign(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 section 8.2)."""
        digest = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        encoded = b"\x00\x01" + b"\xff" * (self.size - len(digest) - 3) + b"\x00" + digest
        return pow(int.from_bytes(encoded, "big"), self.d, self.n).to_bytes(self.size, "big")

    def jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 7517)."""
        def encode(number: int) -> str:
            return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))
        return {"kty": "RSA", "kid": JWT_KEY_ID, "use": "sig", "alg": "RS256", "n": encode(self.n), "e": encode(self.e)}

    def jwt(self, claims: dict[str, Any]) -> str:
        """An RS256 JSON Web Token with these claims."""
        header = {"typ": "JWT", "kid": JWT_KEY_ID, "alg": "RS256"}
        signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        return signing_input + "." + b64url(self.sign(signing_input.encode("ascii")))

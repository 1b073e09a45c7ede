// FNV-1a 64 of bytes as 16 hex digits: the frame hashes the fixture generator writes (tests/fixtures/generate.py).
export function fnv1a(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

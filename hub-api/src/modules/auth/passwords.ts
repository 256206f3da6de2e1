/** bcryptjs's default cost: ~100 ms per hash in pure JS, slow enough against offline guessing, fast enough to log in. */
export const BCRYPT_ROUNDS = 10;

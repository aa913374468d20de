/**
 * Where Better Auth keeps its data: our table and column names (snake_case like the rest of the
 * schema) mapped onto its models. Shared by the Better Auth instance (auth.ts) and the script that
 * generated prisma/migrations/20261122050000_auth. Changing a name here needs a new migration.
 */
export const AUTH_TABLES = {
  user: {
    modelName: "users",
    fields: { emailVerified: "email_verified", createdAt: "created_at", updatedAt: "updated_at" },
    additionalFields: {
      /** user | admin; never taken from sign-up input (the first user is promoted by first-admin.ts). */
      role: { type: "string", required: false, defaultValue: "user", input: false },
    },
  },
  session: {
    modelName: "sessions",
    fields: {
      expiresAt: "expires_at",
      createdAt: "created_at",
      updatedAt: "updated_at",
      ipAddress: "ip_address",
      userAgent: "user_agent",
      userId: "user_id",
    },
  },
  account: {
    modelName: "accounts",
    fields: {
      accountId: "account_id",
      providerId: "provider_id",
      userId: "user_id",
      accessToken: "access_token",
      refreshToken: "refresh_token",
      idToken: "id_token",
      accessTokenExpiresAt: "access_token_expires_at",
      refreshTokenExpiresAt: "refresh_token_expires_at",
      createdAt: "created_at",
      updatedAt: "updated_at",
    },
  },
  verification: {
    modelName: "verifications",
    fields: { expiresAt: "expires_at", createdAt: "created_at", updatedAt: "updated_at" },
  },
} as const;

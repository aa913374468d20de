// REST API over real HTTP against the running `next start` at MARKETLENS_TEST_BASE_URL (vitest.api.config.ts).
import { env } from "../env.ts";
import { defineApiSuite } from "./api-test-suite.ts";

defineApiSuite(env().MARKETLENS_TEST_BASE_URL ?? `http://127.0.0.1:${env().WEB_PORT}`);

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
    // jsdom is slow at DOM-heavy work; the streaming tests render thousands of frames.
    testTimeout: 30_000,
  },
});

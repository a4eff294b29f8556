-- Bulk activity registration under an Idempotency-Key header: the first request's answer is kept
-- so a retry with the same key and body gets it again, and the same key with another body is
-- refused. The row is inserted first, in the same transaction as the activities, so two
-- concurrent requests with one key serialise on the primary key; `response` is NULL only inside
-- that transaction.

-- CreateTable
CREATE TABLE "api_idempotency_keys" (
    "token_name" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_idempotency_keys_pkey" PRIMARY KEY ("token_name","idempotency_key")
);

-- CreateIndex
CREATE INDEX "api_idempotency_keys_created_at_idx" ON "api_idempotency_keys"("created_at");

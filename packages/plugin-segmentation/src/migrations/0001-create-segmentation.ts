import type { MigrationDefinition } from '@botloom/core';

const FEATURE_COLUMNS = `
  tx_count integer NOT NULL,
  frequency double precision NOT NULL,
  recency_days double precision NOT NULL,
  total_spend double precision NOT NULL,
  avg_spend double precision NOT NULL,
  std_spend double precision NOT NULL,
  share_travel double precision NOT NULL,
  share_food double precision NOT NULL,
  share_wallets double precision NOT NULL,
  share_city double precision NOT NULL,
  share_entertainment double precision NOT NULL,
  share_retail double precision NOT NULL,
  online_share double precision NOT NULL,
  distinct_cities integer NOT NULL,
  distinct_countries integer NOT NULL`;

export const createSegmentationTables: MigrationDefinition = {
  name: '0001-create-segmentation',
  async up({ sequelize, transaction }) {
    const sql = `
CREATE TABLE segmentation_imports (
  id serial PRIMARY KEY,
  filename text NOT NULL,
  format text NOT NULL,
  source text NOT NULL,
  file_sha256 text,
  file_bytes bigint,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'rejected', 'failed')),
  skip_invalid boolean NOT NULL DEFAULT false,
  rows_total integer NOT NULL DEFAULT 0,
  rows_imported integer NOT NULL DEFAULT 0,
  rows_invalid integer NOT NULL DEFAULT 0,
  report jsonb,
  error_code text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE segmentation_transactions (
  id bigserial PRIMARY KEY,
  import_id integer NOT NULL REFERENCES segmentation_imports(id) ON DELETE CASCADE,
  card_id text NOT NULL,
  ts timestamptz NOT NULL,
  amount numeric(16, 2) NOT NULL,
  currency char(3) NOT NULL,
  amount_base numeric(16, 2) NOT NULL,
  mcc smallint,
  category text NOT NULL,
  online boolean NOT NULL,
  city text NOT NULL,
  country text NOT NULL
);
CREATE INDEX segmentation_transactions_card_idx ON segmentation_transactions (card_id);
CREATE INDEX segmentation_transactions_import_idx ON segmentation_transactions (import_id);

CREATE TABLE segmentation_runs (
  id serial PRIMARY KEY,
  version integer,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  trigger text NOT NULL,
  requested_k integer,
  k integer,
  k_chosen_by text,
  seed integer NOT NULL,
  restarts integer NOT NULL,
  n_clients integer,
  inertia double precision,
  silhouette double precision,
  as_of timestamptz,
  feature_names jsonb,
  scaler jsonb,
  population jsonb,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX segmentation_runs_version_idx ON segmentation_runs (version) WHERE version IS NOT NULL;

CREATE TABLE segmentation_features (
  run_id integer NOT NULL REFERENCES segmentation_runs(id) ON DELETE CASCADE,
  card_id text NOT NULL,
  ${FEATURE_COLUMNS},
  PRIMARY KEY (run_id, card_id)
);

CREATE TABLE segmentation_segments (
  run_id integer NOT NULL REFERENCES segmentation_runs(id) ON DELETE CASCADE,
  segment integer NOT NULL,
  label jsonb NOT NULL,
  size integer NOT NULL,
  centroid jsonb NOT NULL,
  centroid_z jsonb NOT NULL,
  PRIMARY KEY (run_id, segment)
);

CREATE TABLE segmentation_assignments (
  run_id integer NOT NULL REFERENCES segmentation_runs(id) ON DELETE CASCADE,
  card_id text NOT NULL,
  segment integer NOT NULL,
  distance double precision NOT NULL,
  PRIMARY KEY (run_id, card_id)
);
CREATE INDEX segmentation_assignments_segment_idx ON segmentation_assignments (run_id, segment, card_id);

CREATE TABLE segmentation_allowlist (
  telegram_user_id bigint PRIMARY KEY,
  note text,
  added_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;
    await sequelize.query(sql, { transaction });
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `DROP TABLE IF EXISTS segmentation_allowlist, segmentation_assignments, segmentation_segments,
         segmentation_features, segmentation_runs, segmentation_transactions, segmentation_imports CASCADE`,
      { transaction },
    );
  },
};

export const segmentationMigrations: MigrationDefinition[] = [createSegmentationTables];

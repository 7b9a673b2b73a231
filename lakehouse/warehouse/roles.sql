-- Warehouse roles of Smart Grid Analytics: who may read and write which schema.
--
--   <prefix>engineer  read/write on every schema the platform owns (lakehouse_gold and dbt's
--                     staging, intermediate, marts, seeds, snapshots); member of the two below
--   <prefix>dbt       reads lakehouse_gold; owns its schemas, so it creates and replaces in them;
--                     may create schemas (dbt derives <target schema>_<name> ones: they are its own)
--   <prefix>analyst   USAGE + SELECT on marts only; no write, nothing else
--
-- Group roles are NOLOGIN. Login users <prefix><kind>_user are created only when their password is
-- given; each session of a login user runs as its group (ALTER ROLE ... SET role), so whatever it
-- creates belongs to the group and the default privileges below apply to it.
--
-- Idempotent: run it any number of times (lakehouse up, `lakehouse warehouse roles`, the compose
-- init); it re-asserts every grant and revokes what a role must not have. Run it as a superuser or
-- as the warehouse database's owner with CREATEROLE, connected to the warehouse database.
--
-- Parameters are session settings, so that the file runs unchanged from psql and from Python:
--   lakehouse.role_prefix        prefix of every role name (default lakehouse_)
--   lakehouse.engineer_password  password, or a SCRAM-SHA-256 verifier, of <prefix>engineer_user
--   lakehouse.analyst_password   ... of <prefix>analyst_user
--   lakehouse.dbt_password       ... of <prefix>dbt_user  (unset or empty: that user is left alone)
-- e.g. PGOPTIONS='-c lakehouse.analyst_password=...' psql -v ON_ERROR_STOP=1 -d warehouse -f roles.sql
-- No password is ever written in this file.

DO $lakehouse_roles$
DECLARE
    prefix      text := coalesce(nullif(current_setting('lakehouse.role_prefix', true), ''), 'lakehouse_');
    admin       text := current_user;
    db          text := current_database();
    engineer    text;
    analyst     text;
    dbt         text;
    gold_schema text := 'lakehouse_gold';
    dbt_schemas text[] := ARRAY['staging', 'intermediate', 'marts', 'seeds', 'snapshots'];
    marts       text := 'marts';
    writes      text := 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER';
    grp         text;
    kind        text;
    login       text;
    secret      text;
    s           text;
    rel         record;
BEGIN
    PERFORM set_config('client_min_messages', 'warning', true);  -- re-applying is not news
    IF prefix !~ '^[a-z_][a-z0-9_]{0,40}$' THEN
        RAISE EXCEPTION 'lakehouse.role_prefix % is not a usable role-name prefix', quote_literal(prefix)
            USING HINT = 'use lower-case letters, digits and _ (at most 41), not starting with a digit, e.g. lakehouse_';
    END IF;
    engineer := prefix || 'engineer';
    analyst := prefix || 'analyst';
    dbt := prefix || 'dbt';

    -- group roles ---------------------------------------------------------------------------
    FOREACH grp IN ARRAY ARRAY[engineer, analyst, dbt] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = grp) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
            EXCEPTION WHEN duplicate_object THEN
                NULL;  -- created by a concurrent run
            END;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', db, grp);
        -- The admin hands relations over to the groups and sets default privileges for them, which
        -- needs their privileges, not only ADMIN OPTION (all a CREATEROLE creator gets from PG 16 on).
        IF NOT pg_has_role(admin, grp, 'USAGE') THEN
            EXECUTE format('GRANT %I TO %I', grp, admin);
        END IF;
    END LOOP;
    EXECUTE format('GRANT %I, %I TO %I', analyst, dbt, engineer);
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', db, dbt);  -- incremental models stage in temp tables
    -- PostgreSQL has no privilege per schema name pattern: CREATE on the database is what lets dbt make
    -- the schemas it derives (marts_<custom>, dbt_test__audit). They belong to the dbt role, so
    -- engineers (its members) manage them and analysts see nothing in them.
    EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', db, dbt);
    -- Nobody but the owner creates in public (the default from PostgreSQL 15 on; older servers too).
    IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;

    -- lakehouse_gold: published by the platform (the admin, or an engineer) ------------------
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', gold_schema);
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', gold_schema, engineer);
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO %I', gold_schema, engineer);
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO %I', gold_schema, engineer);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', gold_schema, dbt);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', gold_schema, dbt);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', gold_schema, dbt);
    EXECUTE format('REVOKE %s ON ALL TABLES IN SCHEMA %I FROM %I', writes, gold_schema, dbt);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', gold_schema, analyst);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', gold_schema, analyst);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I, %I IN SCHEMA %I GRANT ALL ON TABLES TO %I',
                   admin, engineer, gold_schema, engineer);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I, %I IN SCHEMA %I GRANT ALL ON SEQUENCES TO %I',
                   admin, engineer, gold_schema, engineer);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I, %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                   admin, engineer, gold_schema, dbt);

    -- dbt's schemas: owned by the dbt group, so dbt (and engineers, its members) replace relations
    FOREACH s IN ARRAY dbt_schemas LOOP
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s, dbt);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', s, dbt);
        -- Relations built before the roles existed (dbt run as the admin) are handed over too.
        FOR rel IN
            SELECT c.relname, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = s AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> to_regrole(dbt)
        LOOP
            EXECUTE format('ALTER %s %I.%I OWNER TO %I',
                           CASE rel.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                           s, rel.relname, dbt);
        END LOOP;
        EXECUTE format('GRANT ALL ON SCHEMA %I TO %I', s, engineer);
        EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO %I', s, engineer);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I, %I, %I IN SCHEMA %I GRANT ALL ON TABLES TO %I',
                       admin, dbt, engineer, s, engineer);
        IF s = marts THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, analyst);
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', s, analyst);
            EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', s, analyst);
            EXECUTE format('REVOKE %s ON ALL TABLES IN SCHEMA %I FROM %I', writes, s, analyst);
            -- Tables dbt (re)creates tomorrow are readable by analysts without another GRANT.
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I, %I, %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                           admin, dbt, engineer, s, analyst);
        ELSE
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', s, analyst);
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, analyst);
        END IF;
    END LOOP;

    -- login users ---------------------------------------------------------------------------
    FOREACH kind IN ARRAY ARRAY['engineer', 'analyst', 'dbt'] LOOP
        grp := prefix || kind;
        login := grp || '_user';
        secret := nullif(current_setting('lakehouse.' || kind || '_password', true), '');
        CONTINUE WHEN secret IS NULL;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN', login);
            EXCEPTION WHEN duplicate_object THEN
                NULL;
            END;
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, secret);
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = login AND (rolsuper OR rolcreatedb OR rolcreaterole)) THEN
            EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE', login);  -- a login user is no admin
        END IF;
        EXECUTE format('GRANT %I TO %I', grp, login);
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET role = %L', login, db, grp);
        IF kind = 'analyst' THEN
            EXECUTE format('ALTER ROLE %I IN DATABASE %I SET default_transaction_read_only = on', login, db);
        END IF;
    END LOOP;
END
$lakehouse_roles$;

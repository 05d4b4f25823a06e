-- Raw source tables, exactly as SPEC §4 names them. This file is the contract between
-- the synthetic generator, models/staging and production replication.
-- Timestamps are `timestamp without time zone` in market-local time.

create schema if not exists station;

create table station.market_groups (
    market_group_id bigint primary key,
    name text not null,
    short_name text not null
);

create table station.markets (
    market_id bigint primary key,
    name text not null,
    short_name text not null,
    market_group_id bigint not null
);

create table station.providers (
    provider_id bigint primary key,
    first_name text,
    last_name text,
    avatar_url text,
    position text
);

create table station.shift_teams (
    shift_team_id bigint primary key,
    market_id bigint not null,
    start_time timestamp not null,
    end_time timestamp not null
);

create table station.shift_team_members (
    shift_team_id bigint not null,
    provider_id bigint not null,
    primary key (shift_team_id, provider_id)
);

create table station.shift_snapshots (
    shift_team_id bigint not null,
    start_time timestamp not null,
    end_time timestamp not null,
    phase text not null,
    latitude_e6 integer,
    longitude_e6 integer,
    unique (shift_team_id, start_time)
);

create table station.care_requests (
    care_request_id bigint primary key,
    shift_team_id bigint,
    market_id bigint not null,
    status text not null,
    patient_first_name text,
    patient_last_name text,
    patient_athena_id text,
    service_date date,
    on_scene_at timestamp,
    completed_at timestamp,
    chart_closed_at timestamp,
    chief_complaint text,
    diagnosis text,
    is_abx_prescribed boolean,
    abx_details text,
    is_escalated boolean,
    escalated_reason text
);

create table station.surveys (
    care_request_id bigint primary key,
    captured_at timestamp not null,
    nps_score integer
);

create schema if not exists ehealth;

create table ehealth.legal_entities (
    id varchar(36) primary key,
    name text,
    edrpou text,
    type text,
    status text
);

create table ehealth.divisions (
    id varchar(36) primary key,
    legal_entity_id varchar(36) not null,
    name text,
    type text,
    status text,
    is_active boolean
);

create table ehealth.division_addresses (
    division_id varchar(36) not null,
    type text not null,
    settlement_type text
);

create table ehealth.parties (
    id varchar(36) primary key,
    first_name text,
    last_name text
);

create table ehealth.employees (
    id varchar(36) primary key,
    party_id varchar(36) not null,
    legal_entity_id varchar(36) not null,
    division_id varchar(36),
    employee_type text not null,
    status text not null,
    is_active boolean not null,
    inserted_at timestamp not null
);

create table ehealth.persons (
    id varchar(36) primary key,
    status text not null
);

create table ehealth.person_authentication_methods (
    person_id varchar(36) not null,
    type text not null,
    phone_number text
);

create table ehealth.person_phones (
    person_id varchar(36) not null,
    type text not null,
    number text not null
);

create table ehealth.declarations (
    id varchar(36) primary key,
    person_id varchar(36) not null,
    employee_id varchar(36) not null,
    legal_entity_id varchar(36) not null,
    division_id varchar(36),
    status text not null,
    is_active boolean not null,
    start_date date,
    inserted_at timestamp not null
);

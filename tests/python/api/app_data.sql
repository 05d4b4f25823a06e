-- The app database as the sync publishes it (SPEC §6, §7, §9), with small hand-written rows
-- whose API output the tests pin exactly. Report date D = 2026-11-20.
--
-- Token markets used by the tests: [1, 2, 3, 999]. Market 4 exists but is never in a
-- lead's token; 999 is in the token but not in the data. Provider 106 is active only in
-- market 5 (outside every token), so it and its shift 9006 must look nonexistent.

create schema leader_hub;
create schema fraud;
create schema kpi_sync;

create table kpi_sync.sync_runs (
    run_id bigint primary key,
    as_of_date date not null,
    dbt_invocation_id text not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_per_table jsonb,
    outcome text not null
);

insert into kpi_sync.sync_runs values
    (1, '2026-11-19', 'inv-1', '2026-11-19 05:55+00', '2026-11-19 06:00+00', '{}', 'success'),
    (2, '2026-11-20', 'inv-2', '2026-11-20 05:55+00', '2026-11-20 06:00+00', '{}', 'success'),
    (3, '2026-11-21', 'inv-3', '2026-11-21 05:55+00', '2026-11-21 06:00+00', '{}', 'failed'),
    (4, '2026-11-22', 'inv-4', '2026-11-22 05:55+00', null, null, 'running');

-- ------------------------------------------------------------------------ Leader Hub

create table leader_hub.market_groups (
    market_group_id bigint primary key, name text, short_name text
);
insert into leader_hub.market_groups values
    (10, 'Colorado', 'CO'), (30, 'Arizona', 'AZ'), (40, 'Florida', 'FL'), (50, 'Texas', 'TX');

create table leader_hub.markets (
    market_id bigint primary key, name text, short_name text, market_group_id bigint
);
insert into leader_hub.markets values
    (1, 'Denver', 'DEN', 10),
    (2, 'Colorado Springs', 'COS', 10),
    (3, 'Phoenix', 'PHX', 30),
    (4, 'Tampa', 'TPA', 40),
    (5, 'Austin', 'AUS', 50);

create table leader_hub.providers (
    provider_id bigint primary key,
    first_name text, last_name text, avatar_url text, job_title text
);
insert into leader_hub.providers values
    (101, 'Ann', 'Smith', 'https://img.example/101.png', 'APP'),
    (102, 'Bob', 'Jones', null, 'APP'),
    (103, 'Cara', 'Brown', null, 'APP'),
    (104, 'Dan', 'Adams', null, 'APP'),
    (105, 'Eve', 'Stone', null, 'DHMT'),
    (106, 'Finn', 'Hidden', null, 'APP'),
    (107, 'Gus', 'Smithers', null, 'APP'),
    (108, 'Kim', 'Wil_son', null, 'APP'),
    (110, 'Lia', 'Ellis', null, 'APP'),
    (111, 'Abe', 'Zed', null, 'APP'),
    (112, 'Max', 'Payne', null, 'APP'),
    (113, 'Ned', 'Tampa', null, 'APP');

create table leader_hub.markets_active_providers (
    market_id bigint, provider_id bigint, last_shift_date date,
    primary key (market_id, provider_id)
);
insert into leader_hub.markets_active_providers (market_id, provider_id) values
    (1, 101), (1, 102), (1, 103), (1, 104), (1, 105), (1, 107), (1, 108), (1, 110), (1, 111),
    (2, 101), (2, 112),
    (4, 113),
    (5, 106);

-- Goals as of D (SPEC §13, the goals mart): the all-markets, job-title-free goals of the
-- seed, and market 1's stricter on-scene goal for APPs (a ranking's and a market-provider
-- row's scope). Survey capture has no goal here: its goal and meets_goal are null.
create table leader_hub.goals (
    metric varchar(64), job_title varchar(8), market_id bigint, direction varchar(16),
    goal numeric(18, 4), valid_from date, as_of_date date,
    primary key (metric, job_title, market_id)
);
insert into leader_hub.goals
select metric, job_title, market_id, direction, goal, '2020-01-01', '2026-11-20'
from (values ('on_scene_time_median_seconds', 'at_most', 1800),
             ('chart_closure_rate', 'at_least', 0.99),
             ('net_promoter_score_average', 'at_least', 95)) as seed (metric, direction, goal)
cross join (values ('ALL'), ('APP'), ('DHMT')) as titles (job_title)
cross join (values (0), (1), (2), (3), (4), (5)) as scopes (market_id);
update leader_hub.goals set goal = 2000, valid_from = '2026-01-01'
where metric = 'on_scene_time_median_seconds' and job_title = 'APP' and market_id = 1;

create table leader_hub.market_metrics (
    market_id bigint primary key,
    as_of_date date,
    visit_count integer,
    on_scene_time_median_seconds integer,
    on_scene_time_week_change_seconds integer,
    chart_closure_rate numeric(5, 4),
    chart_closure_rate_week_change numeric(5, 4),
    survey_capture_rate numeric(5, 4),
    survey_capture_rate_week_change numeric(5, 4),
    net_promoter_score_average numeric(5, 2),
    net_promoter_score_week_change numeric(5, 2)
);
insert into leader_hub.market_metrics values
    (1, '2026-11-20', 80, 1900, -60, 0.8500, 0.0125, 0.6000, -0.0500, 80.50, 1.25),
    (2, '2026-11-20', 12, 2100, null, 0.7500, null, null, null, 70.00, null),
    (3, '2026-11-20', 0, null, null, null, null, null, null, null, null),
    (4, '2026-11-20', 3, 1000, 0, 1.0000, 0.0000, null, null, 100.00, 0.00),
    (5, '2026-11-20', 1, 1200, null, 1.0000, null, null, null, null, null);

create table leader_hub.provider_metrics (
    provider_id bigint primary key,
    as_of_date date,
    visit_count integer,
    on_scene_time_median_seconds integer,
    on_scene_time_week_change_seconds integer,
    chart_closure_rate numeric(5, 4),
    chart_closure_rate_week_change numeric(5, 4),
    survey_capture_rate numeric(5, 4),
    survey_capture_rate_week_change numeric(5, 4),
    net_promoter_score_average numeric(5, 2),
    net_promoter_score_week_change numeric(5, 2),
    on_task_percent numeric(5, 2),
    on_task_percent_week_change numeric(5, 2),
    escalation_rate numeric(5, 4),
    escalation_rate_week_change numeric(5, 4),
    abx_prescribing_rate numeric(5, 4),
    abx_prescribing_rate_week_change numeric(5, 4)
);
insert into leader_hub.provider_metrics values
    (101, '2026-11-20', 80, 1750, 30, 0.9300, 0.0100, null, null, 86.00, -2.00,
        71.25, 3.50, 0.0500, 0.0000, 0.2000, -0.0125),
    (105, '2026-11-20', 40, 1700, null, null, null, 0.6000, null, 90.00, null,
        65.00, null, 0.0250, null, null, null),
    (106, '2026-11-20', 5, 1200, null, 1.0000, null, null, null, null, null,
        50.00, null, 0.0000, null, 0.0000, null);

create table leader_hub.market_provider_metrics (
    market_id bigint,
    provider_id bigint,
    as_of_date date,
    job_title text,
    visit_count integer,
    on_scene_time_median_seconds integer,
    on_scene_time_week_change_seconds integer,
    on_scene_time_rank bigint,
    ranked_providers_on_scene_time bigint,
    chart_closure_rate numeric(5, 4),
    chart_closure_rate_week_change numeric(5, 4),
    chart_closure_rate_rank bigint,
    ranked_providers_chart_closure_rate bigint,
    survey_capture_rate numeric(5, 4),
    survey_capture_rate_week_change numeric(5, 4),
    survey_capture_rate_rank bigint,
    ranked_providers_survey_capture_rate bigint,
    net_promoter_score_average numeric(5, 2),
    net_promoter_score_week_change numeric(5, 2),
    net_promoter_score_rank bigint,
    ranked_providers_net_promoter_score bigint,
    on_task_percent numeric(5, 2),
    on_task_percent_week_change numeric(5, 2),
    on_task_percent_rank bigint,
    ranked_providers_on_task_percent bigint,
    primary key (market_id, provider_id)
);
-- Market 1, APP. On-scene (ascending): Jones 1500 (1), Brown and Smith tie at 1800 (2),
-- Smithers 2000 (3), Wil_son 2100 (4), Ellis 2400 (5); Adams and Zed: no data. 6 ranked.
-- Chart closure (descending): Smith .95 (1), Smithers .90 (2), Jones .80 (3), Brown .70
-- (4), Wil_son .60 (5), Ellis .50 (6); Adams, Zed: no data. Survey capture: APP → none.
insert into leader_hub.market_provider_metrics values
    (1, 101, '2026-11-20', 'APP', 60, 1800, 30, 2, 6, 0.9500, 0.0100, 1, 6,
        null, null, null, 0, 85.50, -1.50, 2, 5, 71.25, 3.50, 1, 5),
    (1, 102, '2026-11-20', 'APP', 70, 1500, -120, 1, 6, 0.8000, null, 3, 6,
        null, null, null, 0, 70.00, null, 4, 5, 60.00, null, 3, 5),
    (1, 103, '2026-11-20', 'APP', 80, 1800, null, 2, 6, 0.7000, -0.0500, 4, 6,
        null, null, null, 0, 90.00, 0.00, 1, 5, 55.50, 1.00, 4, 5),
    (1, 104, '2026-11-20', 'APP', 0, null, null, null, 6, null, null, null, 6,
        null, null, null, 0, null, null, null, 5, null, null, null, 5),
    (1, 107, '2026-11-20', 'APP', 10, 2000, 0, 3, 6, 0.9000, 0.1000, 2, 6,
        null, null, null, 0, 75.00, null, 3, 5, 70.00, null, 2, 5),
    (1, 108, '2026-11-20', 'APP', 5, 2100, null, 4, 6, 0.6000, null, 5, 6,
        null, null, null, 0, 60.00, null, 5, 5, null, null, null, 5),
    (1, 110, '2026-11-20', 'APP', 5, 2400, null, 5, 6, 0.5000, null, 6, 6,
        null, null, null, 0, null, null, null, 5, 40.00, null, 5, 5),
    (1, 111, '2026-11-20', 'APP', 0, null, null, null, 6, null, null, null, 6,
        null, null, null, 0, null, null, null, 5, null, null, null, 5),
    (1, 105, '2026-11-20', 'DHMT', 40, 1700, null, 1, 1, null, null, null, 0,
        0.6000, null, 1, 1, 90.00, null, 1, 1, 65.00, null, 1, 1),
    (2, 101, '2026-11-20', 'APP', 20, 1650, null, 1, 2, 0.9000, null, 2, 2,
        null, null, null, 0, 88.00, null, 1, 2, 72.00, null, 1, 2),
    (2, 112, '2026-11-20', 'APP', 12, 1900, null, 2, 2, 0.9500, null, 1, 2,
        null, null, null, 0, 80.00, null, 2, 2, 68.00, null, 2, 2),
    (4, 113, '2026-11-20', 'APP', 3, 1000, null, 1, 1, 1.0000, null, 1, 1,
        null, null, null, 0, 100.00, null, 1, 1, 80.00, null, 1, 1),
    (5, 106, '2026-11-20', 'APP', 5, 1200, null, 1, 1, 1.0000, null, 1, 1,
        null, null, null, 0, null, null, null, 0, 50.00, null, 1, 1);

-- My Performance Hub (SPEC §11). The published minimum is 15 visits here: in market 1 the
-- APP marquee is Jones (70 visits, rank 1), Brown (80, rank 2), Smith (60, rank 2) and
-- Smithers (10 visits) is left out; in market 2 only Smith (20) qualifies, Payne (12) is
-- withheld, and with 2 ranked there is no anonymous distribution.
create table leader_hub.personal_settings (
    as_of_date date primary key, personal_min_visits integer, look_back_days integer
);
insert into leader_hub.personal_settings values ('2026-11-20', 15, 7);

create table leader_hub.provider_look_back_days (
    provider_id bigint, service_date date, market_group_id bigint, market_group_name text,
    patients_seen bigint, on_shift_seconds bigint, group_clinicians bigint,
    group_average_patients_seen numeric(38, 2), group_average_on_shift_seconds numeric(38, 2),
    as_of_date date, primary key (provider_id, service_date)
);
insert into leader_hub.provider_look_back_days values
    (101, '2026-11-19', 10, 'Colorado', 5, 36000, 3, 4.33, 30000.50, '2026-11-20'),
    (101, '2026-11-17', 10, 'Colorado', 2, 18000, 1, 2.00, 18000.00, '2026-11-20');

create table leader_hub.provider_visits (
    care_request_id bigint,
    provider_id bigint,
    market_id bigint,
    service_date date,
    completed_at timestamp,
    visit_rank bigint,
    patient_first_name text,
    patient_last_name text,
    patient_athena_id text,
    chief_complaint text,
    diagnosis text,
    is_abx_prescribed boolean,
    abx_details text,
    is_escalated boolean,
    escalated_reason text,
    primary key (care_request_id, provider_id)
);
-- Provider 101, newest first: 5001, 5003, 5002, then 5005 and 5004 (same completed_at:
-- higher care_request_id first).
insert into leader_hub.provider_visits values
    (5001, 101, 1, '2026-11-19', '2026-11-19 15:00', 1, 'Maria', 'Garcia', 'A100',
        'Cough', 'Bronchitis', true, 'Amoxicillin', false, null),
    (5002, 101, 2, '2026-11-18', '2026-11-18 10:00', 3, 'John', 'O''Brien', 'A200',
        'Chest pain', 'Angina', false, null, true, 'ED transfer'),
    (5003, 101, 1, '2026-11-18', '2026-11-18 12:00', 2, 'Maria', 'Lopez', 'B300',
        'Fever', 'UTI', true, 'Nitrofurantoin', true, 'Sepsis risk'),
    (5004, 101, 1, '2026-11-10', '2026-11-10 09:00', 5, 'Ana', 'Garcia-Ruiz', 'A1000',
        'Rash', 'Dermatitis', false, null, false, null),
    (5005, 101, 1, '2026-11-10', '2026-11-10 09:00', 4, 'Pat', '100%_Real', 'C_1',
        'Fall', 'Sprain', false, null, false, null),
    (5001, 102, 1, '2026-11-19', '2026-11-19 15:00', 1, 'Maria', 'Garcia', 'A100',
        'Cough', 'Bronchitis', true, 'Amoxicillin', false, null),
    (6001, 106, 5, '2026-11-19', '2026-11-19 11:00', 1, 'Secret', 'Patient', 'Z999',
        'Headache', 'Migraine', false, null, false, null);

create table leader_hub.provider_shifts (
    shift_team_id bigint,
    provider_id bigint,
    market_id bigint,
    service_date date,
    start_time timestamp,
    end_time timestamp,
    patients_seen integer,
    out_the_door_duration_seconds integer,
    en_route_duration_seconds integer,
    on_scene_duration_seconds integer,
    on_break_duration_seconds integer,
    idle_duration_seconds integer,
    is_break_skipped boolean,
    primary key (shift_team_id, provider_id)
);
insert into leader_hub.provider_shifts values
    (9001, 101, 1, '2026-11-19', '2026-11-19 08:00', '2026-11-19 18:00', 5,
        900, 3600, 14400, 1800, 16200, false),
    (9001, 102, 1, '2026-11-19', '2026-11-19 08:00', '2026-11-19 18:00', 5,
        900, 3600, 14400, 1800, 16200, false),
    (9002, 101, 2, '2026-11-12', '2026-11-12 07:00', '2026-11-12 15:00', 2,
        null, 0, 7200, 0, 21600, true),
    (9003, 101, 1, '2026-10-01', '2026-10-01 09:00', '2026-10-01 19:00', 6,
        600, 4000, 15000, 1800, 15200, false),
    (9004, 101, 1, '2026-08-25', '2026-08-25 09:00', '2026-08-25 17:00', 3,
        1200, 3000, 9000, 1800, 15000, false),
    (9006, 106, 5, '2026-11-18', '2026-11-18 08:00', '2026-11-18 16:00', 1,
        300, 1000, 2000, 0, 25800, true),
    (9007, 106, 5, '2026-11-17', '2026-11-17 08:00', '2026-11-17 16:00', 1,
        300, 1000, 2000, 0, 25800, true),
    (9007, 105, 1, '2026-11-17', '2026-11-17 08:00', '2026-11-17 16:00', 1,
        300, 1000, 2000, 0, 25800, true);

-- The look back's latest day of each clinician: the shifts of their latest shift date.
create table leader_hub.provider_latest_shifts (like leader_hub.provider_shifts including all);
insert into leader_hub.provider_latest_shifts
select shifts.* from leader_hub.provider_shifts as shifts
where shifts.service_date = (
    select max(latest.service_date) from leader_hub.provider_shifts as latest
    where latest.provider_id = shifts.provider_id
);

create table leader_hub.provider_shift_breakdowns (
    shift_team_id bigint,
    start_time timestamp,
    end_time timestamp,
    phase text,
    latitude_e6 integer,
    longitude_e6 integer,
    primary key (shift_team_id, start_time)
);
-- inserted out of order on purpose: the API returns them by start_time
insert into leader_hub.provider_shift_breakdowns values
    (9001, '2026-11-19 12:00', '2026-11-19 12:30', 'on_break', 39739236, -104990251),
    (9001, '2026-11-19 08:00', '2026-11-19 08:15', 'idle', 39739236, -104990251),
    (9001, '2026-11-19 08:40', '2026-11-19 09:30', 'on_scene', 39750000, -105000000),
    (9001, '2026-11-19 08:15', '2026-11-19 08:40', 'en_route', null, null),
    (9006, '2026-11-18 08:00', '2026-11-18 16:00', 'idle', 30267153, -97743061),
    (9007, '2026-11-17 08:00', '2026-11-17 16:00', 'idle', 39739236, -104990251);

-- --------------------------------------------------------------- Leader Hub history
-- (SPEC §12 "Uncertainty") the intervals, counts and within-noise flags, appended after
-- the marts' other columns as in the marts; rows not updated below have no interval.
do $$
declare metrics_table text;
begin
    foreach metrics_table in array array['market_metrics', 'market_provider_metrics', 'provider_metrics'] loop
        execute format('alter table leader_hub.%I
        add column survey_answer_count integer,
        add column on_scene_time_median_seconds_ci_low integer,
        add column on_scene_time_median_seconds_ci_high integer,
        add column on_scene_time_week_change_seconds_within_noise boolean,
        add column chart_closure_rate_ci_low numeric(5, 4),
        add column chart_closure_rate_ci_high numeric(5, 4),
        add column chart_closure_rate_week_change_within_noise boolean,
        add column survey_capture_rate_ci_low numeric(5, 4),
        add column survey_capture_rate_ci_high numeric(5, 4),
        add column survey_capture_rate_week_change_within_noise boolean,
        add column net_promoter_score_average_ci_low numeric(5, 2),
        add column net_promoter_score_average_ci_high numeric(5, 2),
        add column net_promoter_score_week_change_within_noise boolean', metrics_table);
    end loop;
end
$$;
alter table leader_hub.provider_metrics
    add column escalation_rate_ci_low numeric(5, 4),
    add column escalation_rate_ci_high numeric(5, 4),
    add column escalation_rate_week_change_within_noise boolean,
    add column abx_prescribing_rate_ci_low numeric(5, 4),
    add column abx_prescribing_rate_ci_high numeric(5, 4),
    add column abx_prescribing_rate_week_change_within_noise boolean;
-- Market 1: the week-earlier values (1960 s, 0.8375, 0.6500, 79.25) are inside the
-- on-scene, chart closure and NPS intervals (noise), outside the survey capture one.
update leader_hub.market_metrics set
    survey_answer_count = 50,
    on_scene_time_median_seconds_ci_low = 1800, on_scene_time_median_seconds_ci_high = 2050,
    on_scene_time_week_change_seconds_within_noise = true,
    chart_closure_rate_ci_low = 0.7550, chart_closure_rate_ci_high = 0.9100,
    chart_closure_rate_week_change_within_noise = true,
    survey_capture_rate_ci_low = 0.4900, survey_capture_rate_ci_high = 0.6400,
    survey_capture_rate_week_change_within_noise = false,
    net_promoter_score_average_ci_low = 77.00, net_promoter_score_average_ci_high = 84.00,
    net_promoter_score_week_change_within_noise = true
where market_id = 1;
update leader_hub.market_metrics set survey_answer_count = 0 where market_id <> 1;
update leader_hub.provider_metrics set
    survey_answer_count = 45,
    on_scene_time_median_seconds_ci_low = 1650, on_scene_time_median_seconds_ci_high = 1850,
    on_scene_time_week_change_seconds_within_noise = true,
    abx_prescribing_rate_ci_low = 0.1300, abx_prescribing_rate_ci_high = 0.3000,
    abx_prescribing_rate_week_change_within_noise = true
where provider_id = 101;
update leader_hub.provider_metrics set survey_answer_count = 0 where provider_id <> 101;
-- Market 1, provider 101: on-scene 1800 s a week after 1770 s, interval [1790, 1900]: a
-- real change; NPS 85.50 after 87.00, interval [80.10, 90.90]: noise (n = 30 answers).
update leader_hub.market_provider_metrics set
    survey_answer_count = 30,
    on_scene_time_median_seconds_ci_low = 1790, on_scene_time_median_seconds_ci_high = 1900,
    on_scene_time_week_change_seconds_within_noise = false,
    chart_closure_rate_ci_low = 0.8800, chart_closure_rate_ci_high = 0.9800,
    chart_closure_rate_week_change_within_noise = true,
    net_promoter_score_average_ci_low = 80.10, net_promoter_score_average_ci_high = 90.90,
    net_promoter_score_week_change_within_noise = true
where market_id = 1 and provider_id = 101;
update leader_hub.market_provider_metrics set survey_answer_count = 0
where not (market_id = 1 and provider_id = 101);

-- (SPEC §12 "Drill-down") the visits that entered and left the windows between
-- D - 7 and D. Market 1: three entered, two left; market 1 x provider 101: one each;
-- market 1 x provider 105 (DHMT): one entered. Market 4 (never in a token) has one.
create table leader_hub.market_visit_changes (
    market_id bigint,
    care_request_id bigint,
    as_of_date date,
    direction varchar(8),
    provider_ids varchar(1024),
    service_date date,
    completed_at timestamp,
    on_scene_seconds bigint,
    is_chart_closed_within_24h boolean,
    has_survey boolean,
    nps_answer integer,
    primary key (market_id, care_request_id)
);
insert into leader_hub.market_visit_changes values
    (1, 5001, '2026-11-20', 'entered', '101,105', '2026-11-20', '2026-11-20 10:00', 1500,
        true, true, 9),
    (1, 5002, '2026-11-20', 'entered', '102', '2026-11-19', '2026-11-19 16:30', 2500,
        false, true, 6),
    (1, 5003, '2026-11-20', 'entered', '', '2026-11-18', '2026-11-18 09:15', 1800,
        true, false, null),
    (1, 4001, '2026-11-20', 'left', '101', '2026-10-02', '2026-10-02 11:00', 900,
        true, true, 10),
    (1, 4002, '2026-11-20', 'left', '103', '2026-10-01', '2026-10-01 08:00', 1200,
        false, false, null),
    (4, 6001, '2026-11-20', 'entered', '113', '2026-11-20', '2026-11-20 12:00', 1000,
        true, false, null);

create table leader_hub.market_provider_visit_changes (
    provider_id bigint,
    like leader_hub.market_visit_changes
);
alter table leader_hub.market_provider_visit_changes
    add primary key (market_id, provider_id, care_request_id);
insert into leader_hub.market_provider_visit_changes
    (provider_id, market_id, care_request_id, as_of_date, direction, provider_ids,
        service_date, completed_at, on_scene_seconds, is_chart_closed_within_24h,
        has_survey, nps_answer)
values
    (101, 1, 5001, '2026-11-20', 'entered', '101,105', '2026-11-20', '2026-11-20 10:00',
        1500, true, true, 9),
    (101, 1, 4001, '2026-11-20', 'left', '101', '2026-10-02', '2026-10-02 11:00', 900,
        true, true, 10),
    (105, 1, 5001, '2026-11-20', 'entered', '101,105', '2026-11-20', '2026-11-20 10:00',
        1500, true, true, 9);

-- (SPEC §12) every column of the metric mart, one row per report date kept; a date's rows
-- are that date's marts, so the rows of D = 2026-11-20 are copies of the marts above.
-- Kept dates here: 11-20 (D), 11-19 (a daily build), 11-13, 10-30 (weekly); 11-06 is
-- missing on purpose (a weekly point of nulls). Market 3 and provider 105 have D only.

create table leader_hub.market_metric_history (
    like leader_hub.market_metrics, primary key (market_id, as_of_date)
);
insert into leader_hub.market_metric_history select * from leader_hub.market_metrics;
insert into leader_hub.market_metric_history values
    (1, '2026-11-19', 79, 1920, -30, 0.8400, 0.0100, 0.6100, -0.0400, 80.00, 1.00),
    (1, '2026-11-13', 75, 1960, 20, 0.8375, null, 0.6500, 0.0200, 79.25, -0.75),
    (1, '2026-10-30', 70, 2000, null, 0.8000, null, null, null, null, null),
    (2, '2026-11-13', 10, 2200, null, 0.7000, null, null, null, 68.50, null),
    -- a date after the published D (the failed sync of 11-21): never a point
    (1, '2026-11-21', 81, 1111, null, 0.1111, null, null, null, 11.11, null);

create table leader_hub.provider_metric_history (
    like leader_hub.provider_metrics, primary key (provider_id, as_of_date)
);
insert into leader_hub.provider_metric_history select * from leader_hub.provider_metrics;
insert into leader_hub.provider_metric_history values
    (101, '2026-11-19', 79, 1740, 20, 0.9250, 0.0050, null, null, 86.50, -1.50,
        70.00, 2.25, 0.0500, 0.0000, 0.1875, -0.0250),
    (101, '2026-11-13', 78, 1720, null, 0.9200, null, null, null, 88.00, null,
        67.75, null, 0.0500, null, 0.2125, null),
    (106, '2026-11-13', 4, 1100, null, 1.0000, null, null, null, null, null,
        45.00, null, 0.0000, null, 0.0000, null);

create table leader_hub.market_provider_metric_history (
    like leader_hub.market_provider_metrics, primary key (market_id, provider_id, as_of_date)
);
insert into leader_hub.market_provider_metric_history
select * from leader_hub.market_provider_metrics;
insert into leader_hub.market_provider_metric_history values
    (1, 101, '2026-11-19', 'APP', 59, 1790, 10, 2, 6, 0.9400, 0.0050, 1, 6,
        null, null, null, 0, 85.00, -1.00, 2, 5, 70.00, 2.25, 1, 5),
    (1, 101, '2026-11-13', 'APP', 58, 1770, null, 3, 7, 0.9400, null, 2, 7,
        null, null, null, 0, 87.00, null, 1, 5, 67.75, null, 2, 5),
    (1, 101, '2026-10-30', 'APP', 50, null, null, null, 6, null, null, null, 6,
        null, null, null, 0, null, null, null, 4, 60.00, null, 3, 4),
    (5, 106, '2026-11-13', 'APP', 4, 1100, null, 1, 1, 1.0000, null, 1, 1,
        null, null, null, 0, null, null, null, 0, 45.00, null, 1, 1);

-- ---------------------------------------------------------------------------- Fraud

-- Every report row carries its explanation (SPEC §15): row_id, partition_rows,
-- partition_median, partition_mad, outlier_threshold, report_cap, report_cutoff_value.
create table fraud.authorization_doctor (
    party_id varchar(36), legal_entity_id varchar(36), settlement_type varchar(8),
    patients_qty bigint, offline_patients_qty bigint, ratio_offline_patients_qty double precision,
    report_date date, report_rank bigint, is_reported boolean,
    outlier_score numeric(18, 4), is_statistical_outlier boolean,
    row_id varchar(128), partition_rows bigint, partition_median double precision,
    partition_mad double precision, outlier_threshold numeric(9, 4), report_cap bigint,
    report_cutoff_value double precision,
    primary key (party_id, legal_entity_id, settlement_type)
);
insert into fraud.authorization_doctor values
    ('p2', 'le1', 'CITY', 30, 6, 0.2, '2026-11-20', 2, false, 0.5, false,
        'DOCTOR:p2:le1:CITY', 3, 0.2, 0.1166666667, 3.5, 1, 0.9),
    ('p1', 'le1', 'CITY', 20, 18, 0.9, '2026-11-20', 1, true, 4.1234, true,
        'DOCTOR:p1:le1:CITY', 3, 0.2, 0.1166666667, 3.5, 1, 0.9),
    ('p3', 'le2', 'CITY', 12, 1, 0.0833333333, '2026-11-20', 3, false, null, false,
        'DOCTOR:p3:le2:CITY', 3, 0.2, 0.1166666667, 3.5, 1, 0.9),
    ('p4', 'le2', 'OTHER', 15, 15, 1.0, '2026-11-20', 1, true, null, false,
        'DOCTOR:p4:le2:OTHER', 1, 1.0, 0, 3.5, 1, 1.0);

create table fraud.authorization_legal_entity (
    legal_entity_id varchar(36), settlement_type varchar(8),
    patients_qty bigint, offline_patients_qty bigint, ratio_offline_patients_qty double precision,
    report_date date, report_rank bigint, is_reported boolean,
    outlier_score numeric(18, 4), is_statistical_outlier boolean,
    row_id varchar(128), partition_rows bigint, partition_median double precision,
    partition_mad double precision, outlier_threshold numeric(9, 4), report_cap bigint,
    report_cutoff_value double precision,
    primary key (legal_entity_id, settlement_type)
);
insert into fraud.authorization_legal_entity values
    ('le1', 'CITY', 60, 30, 0.5, '2026-11-20', 1, true, null, false,
        'LEGAL_ENTITY:le1:CITY', 2, 0.2954545455, 0.2045454545, 3.5, 1, 0.5),
    ('le2', 'CITY', 55, 5, 0.0909090909, '2026-11-20', 2, false, null, false,
        'LEGAL_ENTITY:le2:CITY', 2, 0.2954545455, 0.2045454545, 3.5, 1, 0.5);

create table fraud.patients_phonenumber (
    phone_number varchar(32), patients_qty bigint,
    report_date date, report_rank bigint, is_reported boolean,
    outlier_score numeric(18, 4), is_statistical_outlier boolean,
    row_id varchar(128), partition_rows bigint, partition_median double precision,
    partition_mad double precision, outlier_threshold numeric(9, 4), report_cap bigint,
    report_cutoff_value double precision,
    primary key (phone_number)
);
insert into fraud.patients_phonenumber values
    ('380501110000', 2, '2026-11-20', 2, false, null, false,
        '380501110000', 3, 2, 0, 3.5, 1, 5),
    ('380501112233', 5, '2026-11-20', 1, true, null, false,
        '380501112233', 3, 2, 0, 3.5, 1, 5),
    ('380509990000', 2, '2026-11-20', 3, false, null, false,
        '380509990000', 3, 2, 0, 3.5, 1, 5);

create table fraud.total_patients_doctor (
    party_id varchar(36), legal_entity_id varchar(36), patients_qty bigint,
    new_30 bigint, new_prev_60 bigint, lifetime_days integer,
    patient_increase_30d double precision, patient_increase_30d_0 bigint,
    report_date date, report_rank bigint, is_reported boolean,
    outlier_score numeric(18, 4), is_statistical_outlier boolean,
    row_id varchar(128), partition_rows bigint, partition_median double precision,
    partition_mad double precision, outlier_threshold numeric(9, 4), report_cap bigint,
    report_cutoff_value double precision,
    primary key (party_id, legal_entity_id)
);
insert into fraud.total_patients_doctor values
    ('p1', 'le1', 40, 30, 10, 400, 6.0, null, '2026-11-20', 1, true, 3.9, true,
        'p1:le1', 4, 3.5, 2.5, 3.5, 1, 6.0),
    ('p2', 'le1', 25, 5, 10, 300, 1.0, null, '2026-11-20', 2, false, -0.2, false,
        'p2:le1', 4, 3.5, 2.5, 3.5, 1, 6.0),
    ('p3', 'le2', 12, 4, 0, 200, null, 4, '2026-11-20', 3, false, null, false,
        'p3:le2', 4, 3.5, 2.5, 3.5, 1, 6.0),
    ('p5', 'le3', 11, 2, 0, 60, null, null, '2026-11-20', 4, false, null, false,
        'p5:le3', 4, 3.5, 2.5, 3.5, 1, 6.0);

-- The flag history (SPEC §15): report dates 2026-11-06, -13 and -20 kept.
-- authorizations: DOCTOR:p1 reported on all three (recurring); DOCTOR:p4 on 11-06, not
-- 11-13, again 11-20 (new: it returns); LEGAL_ENTITY:le1 first on 11-20 (new);
-- DOCTOR:p2 on 11-13 only (resolved on 11-20, still a row of the report).
-- phone-numbers: 380501112233 on 11-13 and 11-20; 380507770000 on 11-13 only (resolved,
-- gone from the report). doctors: p1:le1 new; p3:le2 reported on 11-13 only (resolved).
create table fraud.report_flag_dates (
    report_date date primary key, built_at timestamp
);
insert into fraud.report_flag_dates values
    ('2026-11-06', '2026-11-20 05:00:00'),
    ('2026-11-13', '2026-11-20 05:00:00'),
    ('2026-11-20', '2026-11-20 05:30:00');

create table fraud.report_flag_history (
    report varchar(16), row_id varchar(128), report_date date,
    authorization_type varchar(16), party_id varchar(36), legal_entity_id varchar(36),
    settlement_type varchar(8), phone_number varchar(32), report_rank bigint,
    report_value double precision, outlier_score numeric(18, 4),
    is_statistical_outlier boolean,
    primary key (report, row_id, report_date)
);
insert into fraud.report_flag_history values
    ('authorizations', 'DOCTOR:p1:le1:CITY', '2026-11-06', 'DOCTOR', 'p1', 'le1', 'CITY',
        null, 1, 0.85, 3.7, true),
    ('authorizations', 'DOCTOR:p4:le2:OTHER', '2026-11-06', 'DOCTOR', 'p4', 'le2', 'OTHER',
        null, 1, 0.95, null, false),
    ('authorizations', 'DOCTOR:p1:le1:CITY', '2026-11-13', 'DOCTOR', 'p1', 'le1', 'CITY',
        null, 1, 0.88, 3.9, true),
    ('authorizations', 'DOCTOR:p2:le1:CITY', '2026-11-13', 'DOCTOR', 'p2', 'le1', 'CITY',
        null, 2, 0.6, 2.1, false),
    ('authorizations', 'DOCTOR:p1:le1:CITY', '2026-11-20', 'DOCTOR', 'p1', 'le1', 'CITY',
        null, 1, 0.9, 4.1234, true),
    ('authorizations', 'DOCTOR:p4:le2:OTHER', '2026-11-20', 'DOCTOR', 'p4', 'le2', 'OTHER',
        null, 1, 1.0, null, false),
    ('authorizations', 'LEGAL_ENTITY:le1:CITY', '2026-11-20', 'LEGAL_ENTITY', null, 'le1',
        'CITY', null, 1, 0.5, null, false),
    ('phone-numbers', '380501112233', '2026-11-13', null, null, null, null,
        '380501112233', 1, 6, null, false),
    ('phone-numbers', '380507770000', '2026-11-13', null, null, null, null,
        '380507770000', 2, 4, null, false),
    ('phone-numbers', '380501112233', '2026-11-20', null, null, null, null,
        '380501112233', 1, 5, null, false),
    ('doctors', 'p3:le2', '2026-11-13', null, 'p3', 'le2', null, null, 1, 2.5, 1.1, false),
    ('doctors', 'p1:le1', '2026-11-20', null, 'p1', 'le1', null, null, 1, 6.0, 3.9, true);

create table fraud.report_flag_status (
    report varchar(16), row_id varchar(128), report_date date, previous_report_date date,
    flag_status varchar(16), first_reported_date date, consecutive_reports bigint,
    primary key (report, row_id, report_date)
);
insert into fraud.report_flag_status values
    ('authorizations', 'DOCTOR:p1:le1:CITY', '2026-11-20', '2026-11-13', 'recurring',
        '2026-11-06', 3),
    ('authorizations', 'DOCTOR:p4:le2:OTHER', '2026-11-20', '2026-11-13', 'new',
        '2026-11-06', 1),
    ('authorizations', 'LEGAL_ENTITY:le1:CITY', '2026-11-20', '2026-11-13', 'new',
        '2026-11-20', 1),
    ('authorizations', 'DOCTOR:p2:le1:CITY', '2026-11-20', '2026-11-13', 'resolved',
        '2026-11-13', 0),
    -- a past date's status: never shown for the published date 2026-11-20
    ('authorizations', 'DOCTOR:p4:le2:OTHER', '2026-11-13', '2026-11-06', 'resolved',
        '2026-11-06', 0),
    ('phone-numbers', '380501112233', '2026-11-20', '2026-11-13', 'recurring',
        '2026-11-13', 2),
    ('phone-numbers', '380507770000', '2026-11-20', '2026-11-13', 'resolved',
        '2026-11-13', 0),
    ('doctors', 'p1:le1', '2026-11-20', '2026-11-13', 'new', '2026-11-20', 1),
    ('doctors', 'p3:le2', '2026-11-20', '2026-11-13', 'resolved', '2026-11-13', 0);

-- Links (SPEC §15): the doctors and legal entities of 380501112233's persons.
create table fraud.phone_number_doctors (
    phone_number varchar(32), party_id varchar(36), legal_entity_id varchar(36),
    patients_qty bigint, report_date date,
    primary key (phone_number, party_id, legal_entity_id)
);
insert into fraud.phone_number_doctors values
    ('380501112233', 'p2', 'le1', 1, '2026-11-20'),
    ('380501112233', 'p1', 'le1', 3, '2026-11-20'),
    ('380501112233', 'p3', 'le2', 3, '2026-11-20');

create table fraud.phone_number_legal_entities (
    phone_number varchar(32), legal_entity_id varchar(36), patients_qty bigint,
    report_date date,
    primary key (phone_number, legal_entity_id)
);
insert into fraud.phone_number_legal_entities values
    ('380501112233', 'le1', 3, '2026-11-20'),
    ('380501112233', 'le2', 3, '2026-11-20');

-- the lookups the API makes (the sync creates the same from meta.sync.indexes)
create index on leader_hub.markets_active_providers (provider_id);
create index on leader_hub.provider_visits (provider_id, completed_at);
create index on leader_hub.provider_shifts (provider_id, start_time);

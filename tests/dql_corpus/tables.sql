-- Dates and times, NULL ordering, string functions and collation, transcripts (bytea) and
-- judge results.

-- name: nulls_last_ascending
SELECT id, created_at FROM agent_runs ORDER BY created_at, id LIMIT 300
-- name: nulls_first_descending
SELECT id, created_at FROM agent_runs ORDER BY created_at DESC, id LIMIT 300
-- name: explicit_nulls_first
SELECT id, metadata_json->>'level' AS level FROM agent_runs ORDER BY metadata_json->>'level' NULLS FIRST, id LIMIT 60
-- name: text_nulls_descending
SELECT id, metadata_json->>'level' AS level FROM agent_runs ORDER BY level DESC, id
-- name: date_trunc_day_hour
SELECT date_trunc('hour', created_at) AS hour, count(1) AS n FROM agent_runs WHERE created_at IS NOT NULL GROUP BY date_trunc('hour', created_at) ORDER BY hour
-- name: date_trunc_minute
SELECT id, date_trunc('minute', created_at) AS m, date_trunc('day', created_at) AS d, date_trunc('month', created_at) AS mo FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 10
-- name: extract_parts
SELECT id, extract(year FROM created_at) AS y, extract(month FROM created_at) AS mo, extract(hour FROM created_at) AS h, extract(minute FROM created_at) AS mi FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 10
-- name: extract_second_epoch_dow
SELECT id, extract(second FROM created_at) AS s, extract(epoch FROM created_at) AS e, extract(dow FROM created_at) AS dow, extract(doy FROM created_at) AS doy FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 10
-- name: extract_in_filter
SELECT count(1) FROM agent_runs WHERE extract(minute FROM created_at) < 30
-- name: interval_arithmetic
SELECT id, created_at + INTERVAL '1 day' AS next_day, created_at - INTERVAL '2 hours' AS earlier FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 10
-- name: interval_filter
SELECT count(1) FROM agent_runs WHERE created_at < TIMESTAMP '2025-06-02 09:00:00' + INTERVAL '30 minutes'
-- name: timestamp_difference
SELECT ar.id, t.created_at - ar.created_at AS delay FROM agent_runs ar JOIN transcripts t ON t.agent_run_id = ar.id WHERE ar.created_at IS NOT NULL ORDER BY ar.id, t.id LIMIT 20
-- name: timestamp_text_compare
SELECT id FROM agent_runs WHERE created_at::text LIKE '2025-06-02 09:1%' ORDER BY id
-- name: timestamp_cast_date
SELECT CAST(created_at AS DATE) AS day, count(1) AS n FROM agent_runs GROUP BY CAST(created_at AS DATE) ORDER BY day
-- name: now_is_after_created
SELECT count(1) FROM agent_runs WHERE created_at < now()
-- name: current_timestamp_name
SELECT CURRENT_TIMESTAMP > created_at AS later FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 2
-- name: current_date_compare
SELECT count(1) FROM agent_runs WHERE created_at < CURRENT_DATE
-- name: string_functions
SELECT id, upper(name) AS u, lower(name) AS l, length(name) AS len, left(name, 4) AS l4, right(name, 7) AS r7, replace(name, '/', '::') AS rep, split_part(name, '/', 2) AS part FROM agent_runs WHERE name IS NOT NULL ORDER BY id LIMIT 20
-- name: string_functions_more
SELECT id, substring(name, 3, 4) AS sub, trim(both '/' FROM name) AS t, trim('  padded ') AS t2, position('/' IN name) AS pos, concat(name, '#', metadata_json->>'epoch') AS c, concat_ws('-', name, metadata_json->>'model') AS cw FROM agent_runs WHERE name IS NOT NULL ORDER BY id LIMIT 20
-- name: initcap
SELECT id, initcap(metadata_json->>'difficulty') AS d, initcap(name) AS n FROM agent_runs WHERE name IS NOT NULL ORDER BY id LIMIT 10
-- name: regexp_replace
SELECT id, regexp_replace(metadata_json->>'model', '^[a-z-]+/', '') AS short_model FROM agent_runs ORDER BY id LIMIT 30
-- name: collation_order_of_names
SELECT name FROM agent_runs WHERE name IS NOT NULL ORDER BY name LIMIT 60
-- name: collation_order_of_case_and_punctuation
SELECT metadata_json->>'model' AS model, metadata_json->>'target' AS target FROM agent_runs WHERE metadata_json->>'task' <> 'popularity' ORDER BY target, id
-- name: collation_string_comparison
SELECT id FROM agent_runs WHERE metadata_json->>'target' > 'a' AND metadata_json->>'target' < 'C' ORDER BY id
-- name: collation_min_max
SELECT min(metadata_json->>'target') AS lo, max(metadata_json->>'target') AS hi FROM agent_runs
-- name: transcripts_basic
SELECT t.id, t.agent_run_id, t.name, t.transcript_group_id, t.created_at FROM transcripts t ORDER BY t.agent_run_id, t.id
-- name: transcripts_messages_as_text
SELECT t.id, t.messages FROM transcripts t WHERE t.agent_run_id LIKE 'case-dql-%' ORDER BY t.id
-- name: transcripts_metadata_bytes
SELECT id, metadata_json FROM transcripts WHERE metadata_json::text <> '{}' ORDER BY id
-- name: transcripts_messages_text_search
SELECT t.agent_run_id FROM transcripts t WHERE t.messages::text ILIKE '%permission denied%' ORDER BY t.agent_run_id
-- name: transcripts_messages_like
SELECT count(1) FROM transcripts WHERE messages LIKE '%"role": "tool"%'
-- name: transcripts_message_length
SELECT id, length(messages) AS bytes FROM transcripts WHERE agent_run_id LIKE 'case-dql-%' ORDER BY id
-- name: transcripts_bytea_json_operator_refused
SELECT id FROM transcripts WHERE messages->>'role' = 'user'
-- name: transcripts_per_run
SELECT agent_run_id, count(1) AS n FROM transcripts GROUP BY agent_run_id HAVING count(1) > 1 ORDER BY n DESC, agent_run_id
-- name: transcript_groups_all
SELECT id, agent_run_id, name, description, parent_transcript_group_id, metadata_json, created_at FROM transcript_groups ORDER BY id
-- name: transcript_groups_metadata_filter
SELECT tg.id, tg.metadata_json->>'scaffold' AS scaffold FROM transcript_groups tg WHERE tg.metadata_json ? 'scaffold' ORDER BY tg.id
-- name: judge_results_all
SELECT id, agent_run_id, rubric_id, rubric_version, output, result_metadata, result_type, value FROM judge_results ORDER BY id
-- name: judge_results_by_type
SELECT result_type, count(1) AS n FROM judge_results GROUP BY result_type ORDER BY result_type
-- name: judge_results_output_fields
SELECT jr.id, jr.output->>'label' AS label, (jr.output->>'score')::float AS score, jr.output->'score' AS raw_score FROM judge_results jr ORDER BY jr.id
-- name: judge_results_filter_type
SELECT id FROM judge_results WHERE result_type = 'DIRECT_RESULT' AND output ? 'label' ORDER BY id
-- name: judge_results_metadata_null
SELECT id, result_metadata IS NULL AS no_meta, result_metadata->>'judge' AS judge FROM judge_results ORDER BY id
-- name: judge_results_mode_label_per_run
SELECT jr.agent_run_id, mode() WITHIN GROUP (ORDER BY jr.output->>'label') AS label, avg((jr.output->>'score')::float) AS score FROM judge_results jr GROUP BY jr.agent_run_id ORDER BY jr.agent_run_id
-- name: judge_results_join_runs
SELECT ar.metadata_json->>'model' AS model, count(jr.id) AS results FROM agent_runs ar JOIN judge_results jr ON jr.agent_run_id = ar.id GROUP BY ar.metadata_json->>'model' ORDER BY model
-- name: judge_results_version_max
SELECT rubric_id, max(rubric_version) AS latest, sum(rubric_version) AS total FROM judge_results GROUP BY rubric_id ORDER BY rubric_id
-- name: judge_results_in_where_subquery
SELECT ar.id FROM agent_runs ar WHERE ar.id IN (SELECT jr.agent_run_id FROM judge_results jr WHERE jr.result_type = 'FAILURE') ORDER BY ar.id
-- name: collection_id_column
SELECT collection_id, count(1) AS n FROM agent_runs GROUP BY collection_id
-- name: collection_id_redundant_filter
SELECT count(1) FROM agent_runs WHERE collection_id = 'c0ffee00-0000-4000-8000-00000000d01a'
-- name: collection_id_other_collection
SELECT count(1) FROM agent_runs WHERE collection_id = 'c0ffee00-0000-4000-8000-00000000dec0'
-- name: no_rows_at_all
SELECT id FROM agent_runs WHERE 1 = 0
-- name: empty_aggregate
SELECT count(1), sum((metadata_json->>'epoch')::int), avg((metadata_json->>'epoch')::int), max(name) FROM agent_runs WHERE 1 = 0

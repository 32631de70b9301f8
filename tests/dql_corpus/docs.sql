-- Examples from the documentation (docent-api.md §C, §D.3 and the DQL concept page), adapted
-- to the fields this data holds.

-- name: doc_execute_response_example
SELECT ar.id, ar.metadata_json->>'model' AS model FROM agent_runs ar LIMIT 2
-- name: doc_scoping_example
SELECT id, created_at FROM agent_runs WHERE id = 'abc' ORDER BY created_at DESC LIMIT 5 OFFSET 2
-- name: doc_all_runs_table
-- compare: created_at (the 20 newest are runs without a timestamp, tied: which ones is arbitrary in PostgreSQL)
SELECT ar.id, ar.name, ar.created_at FROM agent_runs ar ORDER BY ar.created_at DESC LIMIT 20
-- name: doc_all_runs_table_dated
SELECT ar.id, ar.name, ar.created_at FROM agent_runs ar WHERE ar.created_at IS NOT NULL ORDER BY ar.created_at DESC LIMIT 20
-- name: doc_all_runs_table_with_metadata
SELECT ar.id, ar.name, ar.created_at, ar.metadata_json->>'model' AS "metadata.model", ar.metadata_json->'scores'->>'reward' AS "metadata.scores.reward" FROM agent_runs ar ORDER BY ar.created_at DESC, ar.id LIMIT 20
-- name: doc_all_runs_table_with_rubric_modes
WITH rubric_a_modes AS (SELECT jr.agent_run_id, mode() WITHIN GROUP (ORDER BY jr.output->>'label') AS label FROM judge_results jr WHERE jr.rubric_id = 'rubric-a' AND jr.rubric_version = 2 AND jr.result_type = 'DIRECT_RESULT' GROUP BY jr.agent_run_id) SELECT ar.id, ar.name, ar.created_at, rubric_a_modes.label AS "rubric_a_label" FROM agent_runs ar LEFT JOIN rubric_a_modes ON rubric_a_modes.agent_run_id = ar.id ORDER BY ar.created_at DESC, ar.id LIMIT 20
-- name: doc_filter_by_metadata
SELECT id, name FROM agent_runs WHERE metadata_json->>'task' = 'popularity';
-- name: doc_nested_transcript_metadata
SELECT id, metadata_json->'conversation'->>'speaker' AS speaker FROM transcripts WHERE metadata_json->>'status' = 'flagged'
-- name: doc_average_of_cast
SELECT AVG(CAST(metadata_json->>'label_confidence' AS DOUBLE PRECISION)) AS avg_confidence FROM agent_runs WHERE metadata_json ? 'label_confidence';
-- name: doc_recent_runs
SELECT id, name, metadata_json->'scores'->>'reward' AS reward, created_at FROM agent_runs WHERE metadata_json->>'difficulty' = 'hard' ORDER BY created_at DESC, id LIMIT 10;
-- name: doc_transcripts_per_group
SELECT tg.id AS group_id, tg.name AS group_name, COUNT(t.id) AS transcript_count FROM transcript_groups tg JOIN transcripts t ON t.transcript_group_id = tg.id GROUP BY tg.id, tg.name HAVING COUNT(t.id) > 1 ORDER BY transcript_count DESC, group_id;
-- name: doc_flagged_judge_results
SELECT jr.agent_run_id, jr.rubric_id, jr.result_metadata->>'judge' AS judge, jr.output->>'score' AS score FROM judge_results jr WHERE jr.output->>'label' = 'match' AND EXISTS (SELECT 1 FROM agent_runs ar WHERE ar.id = jr.agent_run_id AND ar.metadata_json->>'task' LIKE 'inspect_evals/%') ORDER BY score DESC, jr.id LIMIT 25
-- name: doc_completion_rate_cte
WITH normalized_runs AS (SELECT metadata_json->>'task' AS environment, metadata_json->'scores'->>'accuracy' AS status FROM agent_runs WHERE metadata_json ? 'task') SELECT environment, COUNT() AS total_runs, SUM(CASE WHEN status = '1.0' THEN 1 ELSE 0 END) AS completed_runs, CAST(SUM(CASE WHEN status = '1.0' THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / NULLIF(COUNT(1), 0) AS completion_rate FROM normalized_runs GROUP BY environment ORDER BY total_runs DESC, environment
-- name: doc_latest_rubric_scores
WITH latest_scores AS (SELECT j.agent_run_id, MAX(j.rubric_version) AS rubric_version FROM judge_results j WHERE j.rubric_id = 'rubric-a' GROUP BY j.agent_run_id) SELECT ar.id, ar.metadata_json->>'model' AS model_name, jr.output->>'score' AS score, jr.result_metadata->>'judge' AS label FROM latest_scores ls JOIN judge_results jr ON jr.agent_run_id = ls.agent_run_id AND jr.rubric_version = ls.rubric_version AND jr.rubric_id = 'rubric-a' JOIN agent_runs ar ON ar.id = jr.agent_run_id WHERE ar.metadata_json->>'task' <> 'none' ORDER BY CAST(jr.output->>'score' AS DOUBLE PRECISION) DESC, ar.id LIMIT 15
-- name: doc_transcript_coverage_audit
SELECT tg.id AS group_id, tg.name AS group_name, COUNT(t.id) AS transcript_count FROM transcript_groups tg LEFT JOIN transcripts t ON t.transcript_group_id = tg.id AND t.collection_id = tg.collection_id WHERE tg.metadata_json->>'scaffold' IS NOT NULL GROUP BY tg.id, tg.name HAVING COUNT(t.id) = 0 ORDER BY group_name, group_id
-- name: doc_transcript_coverage_any
SELECT tg.id AS group_id, tg.name AS group_name, COUNT(t.id) AS transcript_count FROM transcript_groups tg LEFT JOIN transcripts t ON t.transcript_group_id = tg.id AND t.collection_id = tg.collection_id GROUP BY tg.id, tg.name ORDER BY transcript_count, group_name, group_id
-- name: doc_count_total
SELECT count(1) FROM agent_runs
-- name: doc_count_sugar
SELECT count() FROM agent_runs WHERE metadata_json->>'model' ILIKE '%gpt%'
-- name: doc_json_path_text_and_key
SELECT id, metadata_json #>> '{scores,reward}' AS reward, metadata_json ? 'level' AS has_level FROM agent_runs ORDER BY id LIMIT 30
-- name: doc_containment
SELECT id FROM agent_runs WHERE metadata_json @> '{"difficulty": "easy"}' ORDER BY id
-- name: doc_regex
SELECT id FROM agent_runs WHERE metadata_json->>'model' ~ '^openai/' ORDER BY id
-- name: doc_row_number_lower_coalesce
SELECT row_number() OVER (ORDER BY id), lower(name), coalesce(name, 'x') FROM agent_runs ORDER BY id LIMIT 40
-- name: doc_round_numeric
SELECT id, round((metadata_json->'scores'->>'reward')::numeric, 2) AS reward FROM agent_runs WHERE metadata_json->'scores' ? 'reward' ORDER BY id LIMIT 30
-- name: doc_union
SELECT id FROM agent_runs WHERE metadata_json->>'task' = 'popularity' UNION SELECT agent_run_id FROM transcripts WHERE name IS NOT NULL
-- name: doc_mode_string_agg_build_object
SELECT mode() WITHIN GROUP (ORDER BY metadata_json->>'model') AS top_model, string_agg(DISTINCT metadata_json->>'task', ',' ORDER BY metadata_json->>'task') AS tasks FROM agent_runs
-- name: doc_pagination_first
SELECT id FROM agent_runs ORDER BY id LIMIT 50 OFFSET 0
-- name: doc_pagination_second
SELECT id FROM agent_runs ORDER BY id LIMIT 50 OFFSET 50
-- name: doc_limit_zero
SELECT id FROM agent_runs LIMIT 0
-- name: doc_limit_over_cap
SELECT id FROM agent_runs ORDER BY id LIMIT 50000
-- name: doc_limit_exact
SELECT id FROM agent_runs ORDER BY id LIMIT 5

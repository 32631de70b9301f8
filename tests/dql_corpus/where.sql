-- WHERE clauses users write, run in the SDK's form:
-- SELECT agent_runs.id AS agent_run_id FROM agent_runs WHERE <clause>

metadata_json->>'model' = 'openai/gpt-4o'
metadata_json->>'model' = 'openai/gpt-4o-mini'
metadata_json->>'model' <> 'openai/gpt-4o'
metadata_json->>'model' != 'openai/gpt-4o'
metadata_json->>'model' ILIKE '%GPT%'
metadata_json->>'model' LIKE 'openai/%'
metadata_json->>'model' NOT LIKE '%gpt%'
metadata_json->>'model' ILIKE 'anthropic/%' OR metadata_json->>'model' ILIKE 'google/%'
metadata_json->>'model' IN ('openai/gpt-4o', 'openai/o3-mini')
metadata_json->>'model' NOT IN ('openai/gpt-4o', 'openai/o3-mini')
metadata_json->>'task' = 'popularity' AND (metadata_json->'scores'->>'match')::float = 1
(metadata_json->'scores'->>'match')::float < 1
CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) > 0.5
CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) BETWEEN 0.25 AND 0.75
(metadata_json->'scores'->>'reward')::float >= 0.9 OR (metadata_json->'scores'->>'accuracy')::float = 0
(metadata_json->>'label_confidence')::float > 0.9
(metadata_json->>'label_confidence')::numeric > 0.9
(metadata_json->>'epoch')::int = 2
(metadata_json->>'epoch')::int > 1 AND metadata_json->>'difficulty' = 'hard'
(metadata_json->>'sample_id')::int < 10
metadata_json->>'sample_id' = '15'
metadata_json->'scores'->>'includes' = '1'
metadata_json->'scores'->>'includes' = '0'
metadata_json->'scores'->>'match' = '1.0'
metadata_json->'scores'->>'accuracy' = '1.0'
metadata_json->>'level' IS NULL
metadata_json->>'level' IS NOT NULL
metadata_json->'scores' IS NOT NULL
metadata_json ? 'subject'
NOT metadata_json ? 'subject'
metadata_json->'scores' ? 'reward'
metadata_json->'tags' ? 'Algebra'
metadata_json @> '{"scores": {"accuracy": 1.0}}'
metadata_json @> '{"tags": ["Reverse Engineering"]}'
metadata_json->>'target' ILIKE '%picoCTF%'
metadata_json->>'difficulty' IN ('easy', 'medium') AND metadata_json->>'model' ILIKE '%claude%'
created_at > '2025-06-02T10:00:00'
created_at BETWEEN '2025-06-02T09:00:00' AND '2025-06-02T09:30:00'
created_at IS NULL
created_at >= '2025-06-02' AND created_at < '2025-06-03'
name LIKE 'math/%'
name ILIKE '%EPOCH-2'
name IS NULL
description IS NOT NULL
id = 'case-dql-0003'
id IN (SELECT transcripts.agent_run_id FROM transcripts WHERE transcripts.name = 'grader')
EXISTS (SELECT 1 FROM transcripts t WHERE t.agent_run_id = agent_runs.id AND t.transcript_group_id IS NOT NULL)
agent_runs.id IN (SELECT t.agent_run_id FROM transcripts t GROUP BY t.agent_run_id HAVING count(1) > 1)
agent_runs.id IN (SELECT jr.agent_run_id FROM judge_results jr WHERE jr.output->>'label' = 'match')
NOT EXISTS (SELECT 1 FROM judge_results jr WHERE jr.agent_run_id = agent_runs.id) AND agent_runs.metadata_json->>'task' = 'inspect_evals/math'
agent_runs.id IN (SELECT t.agent_run_id FROM transcripts t WHERE t.messages::text ILIKE '%traceback%')
metadata_json->>'model' ~ 'gpt-4o$'
metadata_json->>'model' ~ '^(openai|anthropic)/'
NOT (metadata_json->>'model' ~ 'o3')
metadata_json->>'subject' SIMILAR TO '(Algebra|Geometry)'
length(metadata_json->>'target') > 20
lower(metadata_json->>'model') = 'gpt-4'
upper(metadata_json->>'difficulty') = 'HARD'
coalesce(metadata_json->>'level', 'none') = 'none'
metadata_json->>'level' IN ('Level 1', 'Level 2')
metadata_json->>'level' > 'Level 3'
metadata_json->>'sample_id' > '50'
metadata_json->'scoring_metadata'->'accuracy'->>'value' = 'C'
metadata_json #>> '{scoring_metadata,accuracy,value}' = 'I'
metadata_json #> '{scores}' ? 'accuracy'
(metadata_json->'scores'->>'reward')::float * 100 > 75
((metadata_json->'scores'->>'reward')::float > 0.5) = true
CASE WHEN metadata_json ? 'reward' THEN false ELSE (metadata_json->'scores'->>'reward')::float > 0.8 END
metadata_json->>'model' ILIKE '%gpt%' AND NOT ((metadata_json->>'epoch')::int = 1 OR created_at IS NULL)
metadata_json->>'task' LIKE 'inspect\_evals/%'
split_part(metadata_json->>'model', '/', 1) = 'meta-llama'
substring(metadata_json->>'model' FROM 1 FOR 6) = 'openai'
metadata_json->>'model' !~ 'gpt'
created_at > NOW() - INTERVAL '1000 days'
created_at < CURRENT_TIMESTAMP AND metadata_json->>'difficulty' <> 'easy'
-- Found by a new-user pass: SQL SIMILAR TO, jsonb number equality, jsonb ordering across types.
metadata_json->>'model' SIMILAR TO 'gpt%'
name SIMILAR TO '(math|gaia)%'
metadata_json->'num' = '4'
metadata_json->'num' > '3'
metadata_json->>'num' ~ '^[0-9.]+$'
metadata_json->'num' = '4.0'
metadata_json->'num' < '"a"'
'null' = metadata_json->'num'
metadata_json->'num' >= '[1, 2]'
metadata_json->'num' <> '{"a": 1.0}'
metadata_json->>'model' NOT SIMILAR TO '%gpt%'
metadata_json->>'model' SIMILAR TO '_pt-4(|"%)' OR name SIMILAR TO '[a-z]+.%'
-- Found by a new-user pass: a condition that is not boolean is refused, as PostgreSQL does.
CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION)
1
metadata_json->>'model'
metadata_json->'scores'
name IS NULL OR 2.5
NOT (1)
CASE WHEN 1 THEN true ELSE false END
'true'
metadata_json->'scores'->'reward' >= metadata_json->'scores'->'accuracy'
metadata_json->'model' < metadata_json->'task'
count() > 0

-- Prices that cover fal's charge: fal bills FLUX.1 [dev]/[schnell] per megapixel of output (rounded up per image),
-- veo3 per second with a different price with audio, seedream per image times max_images.

ALTER TABLE models DROP CONSTRAINT models_unit_check;
ALTER TABLE models ADD CONSTRAINT models_unit_check CHECK (unit IN ('image', 'second', 'clip', 'megapixel'));

-- unit megapixel: the body field with the image size (fal's image_size) and fal's default preset when it is absent
-- (null: fal sizes the output from an input image, so the proxy requires the field)
ALTER TABLE models ADD COLUMN size_param       text;
ALTER TABLE models ADD COLUMN default_size     text;
-- a second count fal multiplies its bill by (seedream's max_images), and its largest value
ALTER TABLE models ADD COLUMN multiplier_param text;
ALTER TABLE models ADD COLUMN max_multiplier   integer CHECK (max_multiplier IS NULL OR max_multiplier > 0);
ALTER TABLE models ADD CONSTRAINT models_megapixel_has_size CHECK (unit <> 'megapixel' OR size_param IS NOT NULL);

ALTER TABLE model_price_versions ADD COLUMN size_param       text;
ALTER TABLE model_price_versions ADD COLUMN default_size     text;
ALTER TABLE model_price_versions ADD COLUMN multiplier_param text;
ALTER TABLE model_price_versions ADD COLUMN max_multiplier   integer;

-- An existing deployment: the FLUX.1 models fal bills per megapixel move from per image to per megapixel at the
-- same USD figure (fal's price per megapixel), each with a new price version. flux-1/dev/image-to-image sizes its
-- output from the input image, which the proxy cannot see before fal runs: it is disabled (an admin may price it
-- again only with a size the proxy can read).
UPDATE models SET unit = 'megapixel', size_param = 'image_size', default_size = 'landscape_4_3', updated_at = now()
WHERE unit = 'image' AND id IN ('fal-ai/flux-1/dev', 'fal-ai/flux-1/dev/redux', 'fal-ai/flux-1/schnell',
                                'fal-ai/flux-1/schnell/redux', 'fal-ai/flux-lora');
UPDATE models SET unit = 'megapixel', size_param = 'image_size', default_size = NULL, enabled = false,
                  updated_at = now()
WHERE unit = 'image' AND id = 'fal-ai/flux-1/dev/image-to-image';
INSERT INTO model_price_versions(model_id, unit, usd_price, clip_seconds, resolution_factors, size_param, default_size,
                                 created_by)
SELECT id, unit, usd_price, clip_seconds, resolution_factors, size_param, default_size, 'migration'
FROM models WHERE unit = 'megapixel' ORDER BY id;
UPDATE models m SET price_version_id = v.id
FROM (SELECT model_id, max(id) AS id FROM model_price_versions GROUP BY model_id) v
WHERE v.model_id = m.id AND m.unit = 'megapixel';

#!/usr/bin/python3
"""intoto_layout.py OUT FUNCTIONARY.pub STEP MATERIAL_RULES PRODUCT_RULES

Writes an unsigned in-toto layout with one step, STEP, which
FUNCTIONARY's key must sign; the rules are JSON lists of in-toto artifact
rules ([["CREATE", "out.txt"], ["DISALLOW", "*"]]). The layout's owner
signs it with in-toto-sign. Uses Debian's in-toto (python3-in-toto)."""
import json
import sys

from in_toto.models.layout import Layout, Step
from in_toto.models.metadata import Metablock

out, pub, step_name, materials, products = sys.argv[1:6]
layout = Layout()
key = layout.add_functionary_key_from_path(pub)
step = Step(name=step_name)
step.expected_materials = json.loads(materials)
step.expected_products = json.loads(products)
step.pubkeys = [key["keyid"]]
step.threshold = 1
layout.steps = [step]
layout.set_relative_expiration(days=1)
Metablock(signed=layout).dump(out)

#!/usr/bin/env python3
"""Adds or replaces message keys in messages/<locale>.json without disturbing other keys (used by the team)."""
import json, sys, collections
def add(locale, pairs):
    path = f'messages/{locale}.json'
    with open(path, encoding='utf-8') as f:
        data = json.load(f, object_pairs_hook=collections.OrderedDict)
    data.update(pairs)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f, ensure_ascii=False, indent='\t')
        f.write('\n')
if __name__ == '__main__':
    spec = json.load(open(sys.argv[1], encoding='utf-8'))
    for locale, pairs in spec.items():
        add(locale, pairs)

#!/usr/bin/env python3
# Usage: scripts/crosscheck.py .build/debug/bpgraph   (needs numpy)
# Independent cross-check: numpy forward values and numpy finite-difference gradients
# against `bpgraph eval --json`, on random specs.
import json, subprocess, sys, numpy as np
rng = np.random.default_rng(1)
B = sys.argv[1]

def softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True)); return e / e.sum(axis=-1, keepdims=True)
def ce(y, t):
    n = y.shape[0] if y.ndim == 2 else 1
    if t.shape != y.shape:
        oh = np.zeros_like(y); 
        if y.ndim == 1: oh[int(t)] = 1
        else: oh[np.arange(y.shape[0]), t.astype(int)] = 1
        t = oh
    return -np.sum(np.where(t != 0, t * np.log(np.where(t != 0, y, 1)), 0)) / n

F = {
 'add': lambda *a: sum(a[1:], a[0]), 'sub': lambda a,b: a-b, 'mul': lambda a,b: a*b, 'div': lambda a,b: a/b,
 'neg': lambda a: -a, 'reciprocal': lambda a: 1/a, 'exp': np.exp, 'log': np.log,
 'sigmoid': lambda a: 1/(1+np.exp(-a)), 'tanh': np.tanh, 'relu': lambda a: np.maximum(a,0),
 'max': np.maximum, 'matmul': lambda a,b: a@b, 'softmax': softmax, 'cross_entropy': ce,
 'softmax_with_loss': lambda a,t: ce(softmax(a), t),
}
cases = [
 ('add', [(2,3),(3,)], {}), ('add', [(2,1),(1,3),()], {}), ('sub', [(3,),(2,3)], {}), ('mul', [(2,2),()], {}),
 ('div', [(3,),(3,)], {'pos':[1]}), ('neg', [(2,3)], {}), ('reciprocal', [(3,)], {'pos':[0]}), ('exp', [(2,2)], {}),
 ('log', [(4,)], {'pos':[0]}), ('pow', [(3,)], {'pos':[0], 'p':1.7}), ('sigmoid', [(2,3)], {}), ('tanh', [(3,)], {}),
 ('relu', [(2,3)], {}), ('max', [(2,3),(3,)], {}), ('matmul', [(2,3),(3,4)], {}), ('matmul', [(3,),(3,2)], {}),
 ('matmul', [(2,3),(3,)], {}), ('matmul', [(3,),(3,)], {}), ('repeat', [(3,)], {'times':2,'axis':1}),
 ('repeat', [(2,2)], {'times':3}), ('sum', [(2,3)], {'axis':0}), ('sum', [(2,3)], {}), ('sum', [(2,3)], {'axis':-1}),
 ('softmax', [(2,3)], {}), ('softmax', [(4,)], {}), ('cross_entropy', [(2,3),'idx'], {}), ('cross_entropy', [(3,),'onehot'], {}),
 ('softmax_with_loss', [(2,3),'idx'], {}), ('softmax_with_loss', [(2,3),'onehot'], {}),
]
def fwd(op, xs, at):
    if op == 'pow': return xs[0] ** at['p']
    if op == 'repeat': return np.repeat(np.expand_dims(xs[0], at.get('axis',0)), at['times'], axis=at.get('axis',0))
    if op == 'sum': return xs[0].sum(axis=at['axis']) if 'axis' in at else xs[0].sum()
    return F[op](*xs)

bad = 0
for op, shapes, at in cases:
    xs = []
    for k, s in enumerate(shapes):
        if s == 'idx': xs.append(rng.integers(0, 3, size=(2,)).astype(float) if len(shapes[0])==2 else np.float64(rng.integers(0,3)))
        elif s == 'onehot':
            t = np.zeros(shapes[0]); 
            if t.ndim==1: t[rng.integers(0,t.shape[0])] = 1
            else: t[np.arange(t.shape[0]), rng.integers(0,t.shape[1],t.shape[0])] = 1
            xs.append(t)
        elif op in ('cross_entropy',) and k == 0: xs.append(softmax(rng.normal(size=s)))
        elif k in at.get('pos', []): xs.append(rng.uniform(0.3, 2.5, size=s))
        else: xs.append(rng.choice([-1,1], size=s) * rng.uniform(0.2, 2, size=s))
    seed_shape = np.shape(fwd(op, xs, at))
    seed = rng.normal(size=seed_shape)
    nodes = []
    for k, x in enumerate(xs):
        n = {'id': f'x{k}', 'value': np.asarray(x).tolist()}
        if shapes[k] in ('idx','onehot'): n['const'] = True
        nodes.append(n)
    node = {'id': 'y', 'op': op, 'in': [f'x{k}' for k in range(len(xs))]}
    node.update({a: v for a, v in at.items() if a != 'pos'})
    nodes.append(node)
    spec = {'nodes': nodes, 'output': 'y', 'seed': np.asarray(seed).tolist()}
    out = json.loads(subprocess.run([B, 'eval', '-', '--json'], input=json.dumps(spec), capture_output=True, text=True, check=True).stdout)
    got = {n['id']: n for n in out['nodes']}
    y = fwd(op, xs, at)
    err = np.max(np.abs(np.asarray(got['y']['value']) - y) / np.maximum(1, np.abs(y)))
    worst = err
    for k, x in enumerate(xs):
        if shapes[k] in ('idx','onehot'): 
            assert got[f'x{k}']['grad'] is None; continue
        g = np.zeros_like(np.asarray(x, float)); xf = np.asarray(x, float)
        for i in np.ndindex(xf.shape if xf.shape else ()):
            h = 1e-6 * max(1, abs(xf[i]))
            p = xf.copy(); m = xf.copy(); p[i] += h; m[i] -= h
            xp = list(xs); xm = list(xs); xp[k] = p; xm[k] = m
            g[i] = (np.sum(seed * fwd(op, xp, at)) - np.sum(seed * fwd(op, xm, at))) / (2*h)
        e = np.max(np.abs(np.asarray(got[f'x{k}']['grad']) - g) / np.maximum(1, np.abs(g)))
        worst = max(worst, e)
    status = 'ok' if worst < 1e-6 else 'MISMATCH'
    if worst >= 1e-6: bad += 1
    print(f'{op:18s} {str(shapes):24s} max rel err {worst:.2e} {status}')
print('mismatches:', bad)
sys.exit(1 if bad else 0)

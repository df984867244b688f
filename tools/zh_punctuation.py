#!/usr/bin/python3
# tools/zh_punctuation.py FILE... - rewrites the ASCII punctuation of Chinese
# sentences in markdown files as full-width (，：；。（）), leaving code spans,
# fenced blocks, numbers and shapes such as (None, 64, 128) alone
# (GLOSSARY.zh.md). Review the diff: it is a helper, not an authority.
import re,sys
H=r'\u4e00-\u9fff'                     # ideographs
FW=r'\u3000-\u303f\uff00-\uffef“”'     # full-width punctuation
def fix_line(line):
    if not re.search('['+H+']', line): return line
    spans=[]
    def mask(m):
        spans.append(m.group(0)); return '\ue000%d\ue001'%(len(spans)-1)
    t=re.sub(r'`[^`]*`', mask, line)
    C='['+H+FW+'\ue001]'   # before: CJK, full-width, or end of code
    A='['+H+FW+'\ue000]'   # after
    def par(m):
        pre, inner, post = m.group(1), m.group(2), m.group(3)
        shape = re.fullmatch(r'[\dNone, ]*', inner) is not None
        cjk_in = re.search('['+H+']', inner)
        adj = re.fullmatch('['+H+FW+'\ue001]', pre or '') or re.fullmatch('['+H+FW+'\ue000]', post or '')
        if pre == ']':  # a markdown link's (url)
            return m.group(0)
        if not shape and (cjk_in or adj):
            return (pre or '') + '（' + inner + '）' + (post or '')
        return m.group(0)
    for _ in range(2):
        t=re.sub(r'(^|.)\(([^()]*)\)(.|$)', par, t)
    t=re.sub(r'(?<=[%s])\(|(?<!\])\((?=[%s])'%(H,H), '（', t)
    t=re.sub(r'(?<=[%s\ue001])\)(?=[%s])|(?<=[%s])\)'%(H,H,H), '）', t)
    for _ in range(3):
        t=re.sub(r'(?<=%s),\s*'%C, '，', t)
        t=re.sub(r'\s*,(?=\s*%s)'%A, '，', t)
        t=re.sub(r'(?<=[%s]),\s*$'%(H+FW), '，', t)
        t=re.sub(r'(?<=%s):(?!//)\s*'%C, '：', t)
        t=re.sub(r':\s*(?=[%s\ue000])'%H, '：', t)
        t=re.sub(r'(?<=%s);\s*'%C, '；', t)
        t=re.sub(r';\s*(?=[%s])'%H, '；', t)
        t=re.sub(r'(?<=[%s）])\.(?=\s|$)'%H, '。', t)
        t=re.sub(r'(?<=[%s）])\?'%H, '？', t)
        t=re.sub(r'(?<=[%s）])!'%H, '！', t)
    t=re.sub(r'\ue000(\d+)\ue001', lambda m: spans[int(m.group(1))], t)
    return t
def fix(s):
    out=[];code=False
    for line in s.split('\n'):
        if line.lstrip().startswith('```'): code=not code; out.append(line); continue
        out.append(line if code else fix_line(line))
    return '\n'.join(out)
if __name__=='__main__':
    for p in sys.argv[1:]:
        s=open(p).read(); n=fix(s)
        if n!=s: open(p,'w').write(n); print('fixed',p)

# Sourced by the benchmark scripts that keep a table in docs/performance.md.

# ratio A B: A / B to two places, "-" when B is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# write_table DOC NAME TABLE SCRIPT: puts TABLE between DOC's <!-- NAME --> and <!-- /NAME -->
# markers, dated and signed by SCRIPT; a DOC that is empty or has no markers is left alone.
write_table() {
    local doc=$1 name=$2 table=$3 script=$4
    if [ -n "$doc" ] && grep -q "<!-- $name -->" "$doc"; then
        python3 - "$doc" "$name" "$table" "$script" "$(date -u +%Y-%m-%d)" <<'PY'
import re, sys
doc, name, table, script, day = sys.argv[1:6]
text = open(doc).read()
text = re.sub('<!-- ' + re.escape(name) + ' -->.*?<!-- /' + re.escape(name) + ' -->',
              lambda m: '<!-- ' + name + ' -->\n' + table + '\n\n(' + script + ', ' + day
              + ', medians of runs)\n<!-- /' + name + ' -->',
              text, flags=re.S)
open(doc, 'w').write(text)
PY
    fi
}

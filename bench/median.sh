# Sourced by the bench scripts: median of the numbers on stdin (one or more per line), the mean of
# the two middle ones for an even count, "nan" for none.
median() {
    tr -s ' \t' '\n\n' | grep -v '^$' | sort -g |
        awk '{v[NR]=$1} END{ if (!NR) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'
}

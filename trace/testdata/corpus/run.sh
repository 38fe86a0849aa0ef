#!/usr/bin/env bash
# Re-runs the traceability evaluation of docs/specs.md ("How right it is on
# repositories it has never seen") on the repositories of repos.tsv, when
# they are on this machine. Nothing of theirs is kept in this repository:
# repos.tsv pins each at a commit, judged.tsv holds the hand judgments
# (repository, commit, place, spec, verdict), never their content.
#
#   trace/testdata/corpus/run.sh [-s] [REPO…]
#
# MIRRORS  where the repositories are, as OWNER+NAME/repo git dirs
#          (default /work/.mirror); a missing one is skipped, and said so
# WORK     scratch directory for their work trees (default /tmp/hookd-corpus)
# HOOKD    the hookd binary (default: built from this checkout)
#
# Per repository it prints the figures of docs/specs.md: specs, scoped
# code and test places, ambiguous ones, findings by kind, those failing the
# default gate, the cold `hookd trace` time, the replay report's size for
# the last 30 commits, and the precision of the judged sample. -s prints
# the sample to judge (20 scoped code and test places, chosen by a hash of
# repository, file and line so that reruns pick the same ones) and every
# finding, with the citing line, for judging by hand.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/hookd-corpus}
show=0
if [ "${1:-}" = -s ]; then show=1; shift; fi
mkdir -p "$WORK/out"
if [ -z "${HOOKD:-}" ]; then
	HOOKD=$WORK/hookd
	(cd "$root" && go build -o "$HOOKD" ./cmd/hookd)
fi
printf '%-44s %-5s %5s %6s %5s %5s %5s %5s %5s %6s %7s %s\n' repository set specs scoped ambig dangl suspe stale fail trace_s report judged
while IFS=$'\t' read -r repo commit set format; do
	case $repo in '#'* | '') continue ;; esac
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$repo"; then continue; fi
	name=${repo/\//+}
	mirror=$MIRRORS/$name/repo
	if [ ! -d "$mirror" ]; then
		echo "$repo: not on this machine ($mirror): skipped" >&2
		continue
	fi
	tree=$WORK/$name
	if [ ! -d "$tree/.git" ]; then
		git clone -q --no-checkout "$mirror" "$tree"
	fi
	if ! git -C "$tree" -c advice.detachedHead=false checkout -q --force "$commit" 2>/dev/null; then
		# A mirror may lack its biggest blobs (videos, images): check out
		# every file it has.
		git -C "$tree" -c advice.detachedHead=false checkout -q --force --detach "$commit" -- 2>/dev/null || true
		git -C "$tree" update-ref --no-deref HEAD "$commit"
		git -C "$tree" ls-tree -r "$commit" | awk -F'\t' '{split($1, a, " "); if (a[2] == "blob") print a[3] "\t" $2}' >"$WORK/blobs"
		cut -f1 "$WORK/blobs" | git -C "$tree" cat-file --batch-check | awk '$2 != "missing" {print $1}' >"$WORK/present"
		awk -F'\t' 'NR == FNR {ok[$1] = 1; next} ok[$1] {print $2}' "$WORK/present" "$WORK/blobs" >"$WORK/paths"
		git -C "$tree" checkout -q "$commit" --pathspec-from-file="$WORK/paths"
	fi
	out=$WORK/out/$name.json
	start=$(date +%s.%N)
	(cd "$tree" && "$HOOKD" trace --format json >"$out" 2>/dev/null) || true
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	base=$(git -C "$tree" rev-list --max-count=31 "$commit" | tail -1)
	# (A mirror that lacks blobs cannot make replay's worktree: "-".)
	size=$( (cd "$tree" && "$HOOKD" replay --range "$base..$commit" --report md 2>/dev/null) | wc -c) || true
	[ "${size:-0}" -gt 0 ] || size=-
	# The judged sample: right / judged.
	judged=$(awk -F'\t' -v r="$repo" -v c="$commit" '$1==r && $2==c && $3=="place" {n++; if ($6=="right") ok++} END {if (n) printf "%d/%d", ok, n; else printf "-"}' "$here/judged.tsv")
	jq -r --arg repo "$repo" --arg set "$set" --arg secs "$secs" --arg size "$size" --arg judged "$judged" '
		[(.specs | length),
		 ([.specs[].rows[] | (.code + .tests)[] | "\(.file):\(.line)"] | unique | length),
		 (.ambiguous | length),
		 (.summary.findings.dangling // 0), (.summary.findings.suspect // 0), (.summary.findings.stale // 0),
		 .summary.failing] as $f
		| "\($repo)\t\($set)\t\($f | map(tostring) | join("\t"))\t\($secs)\t\($size)\t\($judged)"' "$out" |
		awk -F'\t' '{printf "%-44s %-5s %5s %6s %5s %5s %5s %5s %5s %6.2f %7s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12}'
	if [ $show = 1 ]; then
		echo "--- sample of $repo @ ${commit:0:7}"
		jq -r '.specs[] | .name as $s | .rows[] | (.code + .tests)[] | "\(.file)\t\(.line)\t\($s)\t\(.why)"' "$out" | sort -u |
			while IFS=$'\t' read -r f l s w; do
				printf '%s\t%s\t%s\t%s\t%s\n' "$(printf '%s' "$repo:$f:$l" | sha1sum | cut -c1-8)" "$f" "$l" "$s" "$w"
			done | sort | head -20 | while IFS=$'\t' read -r _ f l s w; do
				printf 'place\t%s:%s\t%s\t%s\t| %s\n' "$f" "$l" "$s" "$w" "$(sed -n "${l}p" "$tree/$f" 2>/dev/null | tr -s ' \t' ' ' | cut -c1-120)"
			done
		jq -r '.findings[] | select(.kind != "uncovered") | "\(.kind)\t\(.file)\t\(.line)\t\(.spec)#\(.requirement)\t\(.why // "")"' "$out" |
			while IFS=$'\t' read -r k f l s w; do
				printf '%s\t%s:%s\t%s\t%s\t| %s\n' "$k" "$f" "$l" "$s" "$w" "$(sed -n "${l}p" "$tree/$f" 2>/dev/null | tr -s ' \t' ' ' | cut -c1-120)"
			done
	fi
done <"$here/repos.tsv"

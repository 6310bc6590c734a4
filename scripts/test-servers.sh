#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-servers.sh start|stop|status|env — the real servers the integration tests use.
#
#   start   installs what is missing (Debian packages, versitygw built from the Go module cache), creates the
#           throwaway test accounts and starts every server on 127.0.0.1 (no systemd). Idempotent: a server
#           that already answers is left alone.
#   stop    stops what start started, by the PIDs it recorded (never by name).
#   status  one line per server: up/down, port, pid.
#   env     prints `export JUNCTION_TEST_...=...` lines for every server that answers; tests read them
#           (see internal/testserver). Use:  eval "$(scripts/test-servers.sh env)"
#
# Servers (ports and accounts as in docs of TEST-SERVERS.md):
#   postgres   PostgreSQL 15     127.0.0.1:55432  postgres/postgres, database "test"
#   sftp       OpenSSH sftp      127.0.0.1:2222   sftptest/sftptest-pw or key $STATE/ssh/client_ed25519
#   ftp        vsftpd            127.0.0.1:2121   ftptest/ftptest-pw (passive 30000-30049)
#              + FTPS, same user: explicit (AUTH TLS) 127.0.0.1:2990, implicit 127.0.0.1:2991, self-signed
#              certificate $STATE/ftp/tls/cert.pem (passive 30050-30099 and 30100-30149)
#   imap,pop3  Dovecot           127.0.0.1:1143, 127.0.0.1:1110  mailtest/mailtest-pw
#   smtp       Postfix           127.0.0.1:2525   no auth; delivers mailtest@example.test into the Dovecot Maildir
#              + Mailpit v1.31.0 built into $STATE/bin (the smtp tests start it on free ports for AUTH and TLS)
#   s3         versitygw v1.8.0  http://127.0.0.1:7070  testaccess/testsecret123, region us-east-1, path style
#   amqp       RabbitMQ          127.0.0.1:5672   guest/guest
#   mysql      MariaDB (only with WITH_MYSQL=1)  127.0.0.1:13306  test/test, database "test"
#
# Environment: JUNCTION_TEST_STATE (state dir, default /tmp/junction-test-servers), ONLY="postgres sftp"
# (start/stop a subset), WITH_MYSQL=1 (also MariaDB), NO_INSTALL=1 (never install; fail if missing).
#
# Measured on the shared 2-core Debian 12 box (load 7-12 from other work), 2026-11-23:
#   install, once: apt-get update 14 s; apt-get install openssh-server vsftpd dovecot-imapd dovecot-pop3d postfix
#   rabbitmq-server 173 s (postgresql was preinstalled); versitygw go install 359 s cold under that load (136 s on a
#   quiet box, ~20 s with a warm build cache; afterwards the binary is reused from $STATE/bin).
#   start, all seven servers with a fresh state dir: 13.3 s (they start in parallel; RabbitMQ is the slowest, PostgreSQL
#   initdb ~7 s); start again with everything up: 0.7 s; stop: ~1 s.
set -euo pipefail

STATE=${JUNCTION_TEST_STATE:-/tmp/junction-test-servers}
R=$STATE
BIN=$STATE/bin
VERSITYGW_VERSION=v1.8.0
ALL="postgres sftp ftp mail smtp s3 amqp"
[ "${WITH_MYSQL:-0}" = 1 ] && ALL="$ALL mysql"
SERVERS=${ONLY:-$ALL}

log() { echo "test-servers: $*" >&2; }
die() { log "$*"; exit 1; }

port_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_port PORT SECONDS NAME — bounded wait for a TCP port on loopback.
wait_port() {
	local i n=$(($2 * 10))
	for ((i = 0; i < n; i++)); do
		port_up "$1" && return 0
		sleep 0.1
	done
	die "$3 did not answer on 127.0.0.1:$1 within $2 s (logs under $R)"
}
pid_alive() { [ -f "$R/$1.pid" ] && kill -0 "$(tr -dc 0-9 <"$R/$1.pid")" 2>/dev/null; }

# ports of each server (the first one is waited for and reported)
ports_of() {
	case $1 in
	postgres) echo 55432 ;; sftp) echo 2222 ;; ftp) echo "2121 2990 2991" ;; mail) echo "1143 1110" ;;
	smtp) echo 2525 ;; s3) echo 7070 ;; amqp) echo 5672 ;; mysql) echo 13306 ;;
	*) die "unknown server $1 (known: postgres sftp ftp mail smtp s3 amqp mysql)" ;;
	esac
}
server_up() {
	local p
	for p in $(ports_of "$1"); do port_up "$p" || return 1; done
}

# ---------------------------------------------------------------------------------------------- install

pkgs_of() {
	case $1 in
	postgres) echo postgresql ;; sftp) echo openssh-server ;; ftp) echo vsftpd ;;
	mail) echo "dovecot-imapd dovecot-pop3d" ;; smtp) echo postfix ;; amqp) echo rabbitmq-server ;;
	mysql) echo mariadb-server ;; s3) ;;
	esac
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_missing() {
	local s p missing=""
	for s in $SERVERS; do
		for p in $(pkgs_of "$s"); do pkg_installed "$p" || missing="$missing $p"; done
	done
	if [ -n "$missing" ]; then
		[ "${NO_INSTALL:-0}" = 1 ] && die "missing Debian packages:$missing (NO_INSTALL=1)"
		[ "$(id -u)" = 0 ] || die "missing Debian packages:$missing; run as root or: sudo apt-get install$missing"
		log "installing Debian packages:$missing"
		# No systemd here: keep postinst scripts from starting services; we start daemons ourselves.
		[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; }
		local t=$SECONDS
		apt-get update -q >"$R/apt-update.log" 2>&1 || die "apt-get update failed, see $R/apt-update.log"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >"$R/apt-install.log" 2>&1 ||
			die "apt-get install$missing failed, see $R/apt-install.log"
		log "installed in $((SECONDS - t)) s"
	fi
	case " $SERVERS " in *" s3 "*) install_versitygw ;; esac
	case " $SERVERS " in *" smtp "*) install_mailpit ;; esac
}

MAILPIT_VERSION=v1.31.0

# install_mailpit builds Mailpit, the SMTP server with AUTH and TLS that the
# smtp connector tests start on their own ports. `go install` cannot be used:
# the proxy here refuses the module's version list, so download the exact
# version and build it from the module cache (about 1 min cold).
install_mailpit() {
	[ -x "$BIN/mailpit" ] && return 0
	[ "${NO_INSTALL:-0}" = 1 ] && die "mailpit is not built (NO_INSTALL=1)"
	command -v go >/dev/null || die "mailpit (SMTP test server) needs Go to build it: install Go 1.26"
	log "building mailpit $MAILPIT_VERSION into $BIN"
	local t=$SECONDS dir
	mkdir -p "$BIN"
	dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "github.com/axllent/mailpit@$MAILPIT_VERSION" 2>>"$R/mailpit-build.log" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
	[ -n "$dir" ] || die "downloading mailpit $MAILPIT_VERSION failed, see $R/mailpit-build.log"
	(cd "$dir" && GOFLAGS=-mod=mod go build -o "$BIN/mailpit" .) >>"$R/mailpit-build.log" 2>&1 ||
		die "building mailpit failed, see $R/mailpit-build.log"
	log "mailpit built in $((SECONDS - t)) s"
}

versitygw_bin() {
	local c
	for c in "$BIN/versitygw" "$(go env GOPATH 2>/dev/null)/bin/versitygw"; do
		[ -x "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

install_versitygw() {
	versitygw_bin >/dev/null && return 0
	[ "${NO_INSTALL:-0}" = 1 ] && die "versitygw is not built (NO_INSTALL=1)"
	command -v go >/dev/null || die "versitygw (S3 server) needs Go to build it: install Go 1.26"
	log "building versitygw $VERSITYGW_VERSION into $BIN (2-6 min cold on 2 cores)"
	local t=$SECONDS
	# Outside any module so the repository's go.mod is not touched.
	(cd / && GOFLAGS=-mod=mod GOBIN=$BIN go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") \
		>"$R/versitygw-build.log" 2>&1 || die "building versitygw failed, see $R/versitygw-build.log"
	log "versitygw built in $((SECONDS - t)) s"
}

# ---------------------------------------------------------------------------------------------- start

start_postgres() {
	local pgbin
	pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$pgbin" ] || die "postgres: no /usr/lib/postgresql/*/bin (is postgresql installed?)"
	install -d -o postgres -g postgres -m 700 "$R/pg" "$R/pgsock" "$R/pglog"
	if [ ! -f "$R/pg/PG_VERSION" ]; then
		runuser -u postgres -- "$pgbin/initdb" -D "$R/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 >"$R/pg-initdb.log" 2>&1 ||
			die "postgres: initdb failed, see $R/pg-initdb.log"
	fi
	runuser -u postgres -- "$pgbin/pg_ctl" -D "$R/pg" -l "$R/pglog/pg.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p 55432 -k $R/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || die "postgres: pg_ctl start failed, see $R/pglog/pg.log"
	head -1 "$R/pg/postmaster.pid" >"$R/postgres.pid"
	wait_port 55432 30 postgres
	# The Unix socket trusts local users; TCP (what tests use) checks passwords (scram), so wrong credentials fail.
	local psql="runuser -u postgres -- psql -h $R/pgsock -p 55432 -U postgres -v ON_ERROR_STOP=1 -qAt"
	[ "$($psql -c "SELECT 1 FROM pg_database WHERE datname='test'")" = 1 ] || $psql -c "CREATE DATABASE test"
	$psql -c "ALTER USER postgres PASSWORD 'postgres'"
}

start_sftp() {
	mkdir -p "$R/ssh" /run/sshd
	id sftptest >/dev/null 2>&1 || useradd -m -s /bin/bash sftptest
	echo 'sftptest:sftptest-pw' | chpasswd
	[ -f "$R/ssh/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$R/ssh/host_ed25519"
	[ -f "$R/ssh/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$R/ssh/client_ed25519"
	install -d -o sftptest -g sftptest -m 700 /home/sftptest/.ssh
	install -o sftptest -g sftptest -m 600 "$R/ssh/client_ed25519.pub" /home/sftptest/.ssh/authorized_keys
	cat >"$R/ssh/sshd_config" <<CFG
Port 2222
ListenAddress 127.0.0.1
HostKey $R/ssh/host_ed25519
PidFile $R/ssh/sshd.pid
PermitRootLogin no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
AllowUsers sftptest
Subsystem sftp internal-sftp
CFG
	/usr/sbin/sshd -t -f "$R/ssh/sshd_config" || die "sftp: sshd config test failed"
	/usr/sbin/sshd -D -e -f "$R/ssh/sshd_config" >"$R/ssh/sshd.log" 2>&1 &
	echo $! >"$R/sftp.pid"
	wait_port 2222 20 sftp
}

start_ftp() {
	mkdir -p "$R/ftp" /var/run/vsftpd/empty
	id ftptest >/dev/null 2>&1 || useradd -m -s /bin/bash ftptest
	echo 'ftptest:ftptest-pw' | chpasswd
	cat >"$R/ftp/vsftpd.conf" <<CFG
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=2121
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=30000
pasv_max_port=30049
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
xferlog_enable=YES
vsftpd_log_file=$R/ftp/vsftpd.log
CFG
	/usr/sbin/vsftpd "$R/ftp/vsftpd.conf" >"$R/ftp/stdout.log" 2>&1 &
	echo $! >"$R/ftp.pid"
	start_ftps
	wait_port 2121 20 ftp
	wait_port 2990 20 ftps
	wait_port 2991 20 ftps-implicit
}

# start_ftps starts two more vsftpd instances for the same user that require
# TLS on control and data connections (with session reuse, as hardened
# servers do): explicit AUTH TLS on 2990 and implicit TLS on 2991.
start_ftps() {
	mkdir -p "$R/ftp/tls"
	[ -s "$R/ftp/tls/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=127.0.0.1 \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$R/ftp/tls/key.pem" -out "$R/ftp/tls/cert.pem" >"$R/ftp/tls/openssl.log" 2>&1 ||
		die "ftps: making a test certificate failed, see $R/ftp/tls/openssl.log"
	local name port pmin pmax implicit
	for name in ftps ftps-implicit; do
		case $name in
		ftps) port=2990 pmin=30050 pmax=30099 implicit=NO ;;
		ftps-implicit) port=2991 pmin=30100 pmax=30149 implicit=YES ;;
		esac
		sed -e "s/^listen_port=.*/listen_port=$port/" -e "s/^pasv_min_port=.*/pasv_min_port=$pmin/" \
			-e "s/^pasv_max_port=.*/pasv_max_port=$pmax/" -e "s|^vsftpd_log_file=.*|vsftpd_log_file=$R/ftp/$name.log|" \
			"$R/ftp/vsftpd.conf" >"$R/ftp/$name.conf"
		cat >>"$R/ftp/$name.conf" <<CFG
ssl_enable=YES
implicit_ssl=$implicit
rsa_cert_file=$R/ftp/tls/cert.pem
rsa_private_key_file=$R/ftp/tls/key.pem
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_tlsv1=YES
CFG
		/usr/sbin/vsftpd "$R/ftp/$name.conf" >"$R/ftp/$name.stdout.log" 2>&1 &
		echo $! >"$R/$name.pid"
	done
}

start_mail() {
	mkdir -p "$R/dovecot/base" "$R/dovecot/state"
	id mailtest >/dev/null 2>&1 || useradd -m -s /bin/bash mailtest
	install -d -o mailtest -g mailtest /home/mailtest/Maildir /home/mailtest/Maildir/cur /home/mailtest/Maildir/new /home/mailtest/Maildir/tmp
	echo "mailtest:{PLAIN}mailtest-pw" >"$R/dovecot/users"
	chmod 644 "$R/dovecot/users"
	cat >"$R/dovecot/dovecot.conf" <<CFG
base_dir = $R/dovecot/base
state_dir = $R/dovecot/state
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $R/dovecot/dovecot.log
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $R/dovecot/users
}
userdb {
  driver = passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 1143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = 1110
  }
  inet_listener pop3s {
    port = 0
  }
}
CFG
	/usr/sbin/dovecot -F -c "$R/dovecot/dovecot.conf" >"$R/dovecot/stdout.log" 2>&1 &
	echo $! >"$R/mail.pid"
	wait_port 1143 20 imap
	wait_port 1110 20 pop3
}

start_smtp() {
	# Postfix's configuration is global (/etc/postfix); fine on a throwaway test machine.
	postconf -e 'inet_interfaces = loopback-only' 'inet_protocols = ipv4' 'myhostname = mail.example.test' \
		'mydestination = localhost, example.test, mail.example.test' 'home_mailbox = Maildir/' 'mynetworks = 127.0.0.0/8' \
		'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination' \
		"maillog_file_prefixes = /var, /dev/stdout, $R" "maillog_file = $R/postfix.log" \
		'alias_maps =' 'alias_database =' 'message_size_limit = 52428800'
	postconf -MX smtp/inet 2>/dev/null || true
	postconf -Me '2525/inet = 2525 inet n - n - - smtpd'
	id mailtest >/dev/null 2>&1 || useradd -m -s /bin/bash mailtest
	postfix status >/dev/null 2>&1 || postfix start >/dev/null 2>&1 || die "smtp: postfix start failed, see $R/postfix.log"
	wait_port 2525 30 smtp
	tr -dc 0-9 </var/spool/postfix/pid/master.pid >"$R/smtp.pid"
}

start_s3() {
	local vgw
	vgw=$(versitygw_bin) || die "s3: versitygw is not built (run: $0 start)"
	mkdir -p "$R/s3data"
	"$vgw" --access testaccess --secret testsecret123 --port 127.0.0.1:7070 --quiet posix "$R/s3data" >"$R/versitygw.log" 2>&1 &
	echo $! >"$R/s3.pid"
	wait_port 7070 30 s3
}

start_amqp() {
	install -d -o rabbitmq -g rabbitmq "$R/rabbitmq"
	if ! port_up 4369; then
		runuser -u rabbitmq -- /usr/bin/epmd -address 127.0.0.1 >/dev/null 2>&1 &
		wait_port 4369 20 epmd
		ss -ltnpH 'sport = :4369' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 >"$R/epmd.pid"
	fi
	runuser -u rabbitmq -- env HOME="$R/rabbitmq" RABBITMQ_MNESIA_BASE="$R/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$R/rabbitmq/log" \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_DIST_PORT=25672 \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" ERL_EPMD_ADDRESS=127.0.0.1 \
		RABBITMQ_PID_FILE="$R/rabbitmq/rabbit.pid" /usr/sbin/rabbitmq-server >"$R/rabbitmq/stdout.log" 2>&1 &
	echo $! >"$R/amqp-wrapper.pid"
	wait_port 5672 120 amqp
	local i
	for ((i = 0; i < 100; i++)); do [ -s "$R/rabbitmq/rabbit.pid" ] && break; sleep 0.1; done
	tr -dc 0-9 <"$R/rabbitmq/rabbit.pid" >"$R/amqp.pid"
}

start_mysql() {
	install -d -o mysql -g mysql "$R/mariadb" "$R/mariadb/data"
	if [ ! -d "$R/mariadb/data/mysql" ]; then
		mariadb-install-db --user=mysql --datadir="$R/mariadb/data" --auth-root-authentication-method=normal --skip-test-db \
			>"$R/mariadb/install.log" 2>&1 || die "mysql: mariadb-install-db failed, see $R/mariadb/install.log"
	fi
	runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir="$R/mariadb/data" --socket="$R/mariadb/mysqld.sock" \
		--bind-address=127.0.0.1 --port=13306 --pid-file="$R/mariadb/mariadbd.pid" --log-error="$R/mariadb/error.log" \
		--skip-log-bin >/dev/null 2>&1 &
	wait_port 13306 60 mysql
	cp "$R/mariadb/mariadbd.pid" "$R/mysql.pid"
	mariadb -h 127.0.0.1 -P 13306 -u root -e "CREATE DATABASE IF NOT EXISTS test; CREATE USER IF NOT EXISTS 'test'@'%' IDENTIFIED BY 'test'; CREATE USER IF NOT EXISTS 'test'@'localhost' IDENTIFIED BY 'test'; GRANT ALL ON test.* TO 'test'@'%'; GRANT ALL ON test.* TO 'test'@'localhost';"
}

cmd_start() {
	[ "$(id -u)" = 0 ] || log "warning: not root; installing packages, creating users and starting sshd/postfix need root"
	mkdir -p "$R" "$BIN"
	chmod 755 "$R"
	install_missing
	local s t pids=""
	for s in $SERVERS; do
		if server_up "$s"; then
			log "$s already up"
			continue
		fi
		# Servers are independent: start them concurrently, each bounded by its own wait.
		(
			t=$SECONDS
			"start_$s"
			log "$s up on $(ports_of "$s" | tr ' ' ,) in $((SECONDS - t)) s"
		) &
		pids="$pids $!"
	done
	local failed=0 p
	for p in $pids; do wait "$p" || failed=1; done
	[ $failed = 0 ] || die "some servers did not start (see messages above); logs are under $R"
}

# ---------------------------------------------------------------------------------------------- stop

cmd_stop() {
	local s f p pids=""
	for s in $SERVERS epmd amqp-wrapper ftps ftps-implicit; do
		case $s in epmd | amqp-wrapper) case " $SERVERS " in *" amqp "*) ;; *) continue ;; esac ;; esac
		case $s in ftps | ftps-implicit) case " $SERVERS " in *" ftp "*) ;; *) continue ;; esac ;; esac
		f=$R/$s.pid
		[ -f "$f" ] || continue
		p=$(tr -dc 0-9 <"$f")
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" && pids="$pids $p"
		fi
		rm -f "$f"
	done
	local i alive=""
	for ((i = 0; i < 150; i++)); do
		alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	if [ -n "$alive" ]; then
		log "still alive after 15 s:$alive; sending KILL"
		kill -KILL $alive 2>/dev/null || true
	fi
	log "stopped:${pids:- nothing}"
}

# ---------------------------------------------------------------------------------------------- status, env

cmd_status() {
	local s pid
	for s in $SERVERS; do
		pid=$([ -f "$R/$s.pid" ] && tr -dc 0-9 <"$R/$s.pid" || true)
		if server_up "$s"; then
			printf '%-9s up    %-11s pid %s\n' "$s" "$(ports_of "$s" | tr ' ' ,)" "${pid:-?}"
		else
			printf '%-9s down  %-11s\n' "$s" "$(ports_of "$s" | tr ' ' ,)"
		fi
	done
}

cmd_env() {
	local s
	for s in $SERVERS; do
		server_up "$s" || { echo "# $s is not running (start it: $0 start)"; continue; }
		case $s in
		postgres)
			echo "export JUNCTION_TEST_PG_DSN='postgres://postgres:postgres@127.0.0.1:55432/test?sslmode=disable'"
			;;
		sftp)
			echo "export JUNCTION_TEST_SFTP_ADDR=127.0.0.1:2222 JUNCTION_TEST_SFTP_USER=sftptest JUNCTION_TEST_SFTP_PASSWORD=sftptest-pw"
			echo "export JUNCTION_TEST_SFTP_KEY=$R/ssh/client_ed25519 JUNCTION_TEST_SFTP_HOST_KEY=$R/ssh/host_ed25519.pub"
			;;
		ftp)
			echo "export JUNCTION_TEST_FTP_ADDR=127.0.0.1:2121 JUNCTION_TEST_FTP_USER=ftptest JUNCTION_TEST_FTP_PASSWORD=ftptest-pw"
			echo "export JUNCTION_TEST_FTPS_ADDR=127.0.0.1:2990 JUNCTION_TEST_FTPS_IMPLICIT_ADDR=127.0.0.1:2991 JUNCTION_TEST_FTPS_CA=$R/ftp/tls/cert.pem"
			;;
		mail)
			echo "export JUNCTION_TEST_IMAP_ADDR=127.0.0.1:1143 JUNCTION_TEST_POP3_ADDR=127.0.0.1:1110"
			echo "export JUNCTION_TEST_MAIL_USER=mailtest JUNCTION_TEST_MAIL_PASSWORD=mailtest-pw JUNCTION_TEST_MAIL_ADDRESS=mailtest@example.test"
			;;
		smtp)
			echo "export JUNCTION_TEST_SMTP_ADDR=127.0.0.1:2525 JUNCTION_TEST_SMTP_RCPT=mailtest@example.test"
			[ -x "$BIN/mailpit" ] && echo "export JUNCTION_TEST_MAILPIT_BIN=$BIN/mailpit"
			;;
		s3)
			echo "export JUNCTION_TEST_S3_ENDPOINT=http://127.0.0.1:7070 JUNCTION_TEST_S3_REGION=us-east-1"
			echo "export JUNCTION_TEST_S3_ACCESS_KEY=testaccess JUNCTION_TEST_S3_SECRET_KEY=testsecret123"
			;;
		amqp)
			echo "export JUNCTION_TEST_AMQP_URL='amqp://guest:guest@127.0.0.1:5672/'"
			;;
		mysql)
			echo "export JUNCTION_TEST_MYSQL_DSN='test:test@tcp(127.0.0.1:13306)/test'"
			;;
		esac
	done
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 start|stop|status|env   (state: $R; ONLY=\"postgres sftp\" for a subset; WITH_MYSQL=1 adds MariaDB)" >&2
	exit 2
	;;
esac

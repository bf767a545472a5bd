//! A pseudo-terminal for end-to-end tests: runs the real binary in it and
//! reads the screen through a terminal emulator (vt100).

#![allow(dead_code)] // each test binary uses its own part of it

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Tty {
    pub screen: Arc<Mutex<vt100::Parser>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    /// Tells the reading thread to stop and close its copy of the master.
    stop: Arc<std::sync::atomic::AtomicBool>,
    reading: Option<std::thread::JoinHandle<()>>,
}

/// A writer on the pty's master. Not portable-pty's own: dropping that one
/// types a newline and Ctrl-D into the terminal first, so closing the
/// terminal (`hang_up`) would look like a user quitting with Ctrl-D.
#[allow(unsafe_code)]
fn master_writer(fd: std::os::fd::RawFd) -> Box<dyn Write + Send> {
    use std::os::fd::FromRawFd;
    // SAFETY: dup(2) of the open master; the new fd is owned by the File alone.
    let copy = unsafe { libc::dup(fd) };
    assert!(copy >= 0, "dup of the pty's master");
    // SAFETY: `copy` is a fresh, open fd that nothing else owns.
    Box::new(unsafe { std::fs::File::from_raw_fd(copy) })
}

/// Whether `fd` has something to read within 50 ms.
#[allow(unsafe_code)]
fn readable(fd: std::os::fd::RawFd) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe { libc::poll(&mut pfd, 1, 50) > 0 }
}

impl Tty {
    pub fn start(env: &[(&str, &str)]) -> Tty {
        Tty::start_with(&[], env)
    }

    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Tty {
        Tty::start_program(env!("CARGO_BIN_EXE_sockplay"), args, env)
    }

    /// `program ARGS` in the terminal (sockplay under a wrapper such as unshare).
    pub fn start_program(program: &str, args: &[&str], env: &[(&str, &str)]) -> Tty {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // Recordings without --record go to a data directory of the test's own.
        let data = std::env::temp_dir().join("sockplay-e2e-data");
        cmd.env("XDG_DATA_HOME", &data);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("sockplay starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let fd = pty.master.as_raw_fd().expect("the pty's fd");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(40).expect("40 rows"),
            std::num::NonZeroU16::new(140).expect("140 columns"),
            0,
        )));
        let feed = screen.clone();
        let reading = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Polled, so that the thread can stop and close its copy of the
            // master: only then is the terminal really gone (`hang_up`).
            loop {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                if !readable(fd) {
                    continue;
                }
                let Ok(n) = reader.read(&mut buf) else {
                    break;
                };
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = feed.lock() {
                    p.process(&buf[..n]);
                }
            }
        });
        let writer = master_writer(fd);
        Tty {
            screen,
            writer,
            child,
            master: pty.master,
            stop,
            reading: Some(reading),
        }
    }

    /// Closes the terminal, as closing its window does: the kernel hangs it
    /// up. Returns the child, to wait for.
    pub fn hang_up(mut self) -> Box<dyn Child + Send + Sync> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(reading) = self.reading.take() {
            let _ = reading.join();
        }
        let Tty { child, .. } = self;
        child
    }

    pub fn contents(&self) -> String {
        self.screen.lock().expect("screen lock").screen().contents()
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("typing");
        self.writer.flush().expect("typing");
    }

    /// Types a line and Enter, and waits until the interface has taken it.
    pub fn line(&mut self, text: &str, then_shows: &str) -> String {
        self.keys(text.as_bytes());
        self.keys(b"\r");
        self.wait_for(then_shows)
    }

    pub fn wait_exit(&mut self) -> u32 {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status.exit_code();
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("sockplay did not exit:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
    probe.local_addr().expect("bound").port()
}

//! Key codes to characters through a fixed US table: the desktop's keyboard layout never enters.
//!
//! A keyboard-wedge scanner sends the key codes of a US keyboard; reading the
//! codes, not the characters the desktop would make of them, is what keeps
//! `EMP-0042` from turning into `УЬЗ-0042` under a Russian layout.

use crate::keycode::KeyCode;

/// The character a key makes on a US keyboard, unshifted and shifted; `None` for keys that make none.
pub fn us_character(code: u16) -> Option<(char, char)> {
    let key = KeyCode(code);
    let pair = match key {
        KeyCode::KEY_1 => ('1', '!'),
        KeyCode::KEY_2 => ('2', '@'),
        KeyCode::KEY_3 => ('3', '#'),
        KeyCode::KEY_4 => ('4', '$'),
        KeyCode::KEY_5 => ('5', '%'),
        KeyCode::KEY_6 => ('6', '^'),
        KeyCode::KEY_7 => ('7', '&'),
        KeyCode::KEY_8 => ('8', '*'),
        KeyCode::KEY_9 => ('9', '('),
        KeyCode::KEY_0 => ('0', ')'),
        KeyCode::KEY_MINUS => ('-', '_'),
        KeyCode::KEY_EQUAL => ('=', '+'),
        KeyCode::KEY_LEFTBRACE => ('[', '{'),
        KeyCode::KEY_RIGHTBRACE => (']', '}'),
        KeyCode::KEY_SEMICOLON => (';', ':'),
        KeyCode::KEY_APOSTROPHE => ('\'', '"'),
        KeyCode::KEY_GRAVE => ('`', '~'),
        KeyCode::KEY_BACKSLASH => ('\\', '|'),
        KeyCode::KEY_COMMA => (',', '<'),
        KeyCode::KEY_DOT => ('.', '>'),
        KeyCode::KEY_SLASH => ('/', '?'),
        KeyCode::KEY_SPACE => (' ', ' '),
        KeyCode::KEY_KP0 => ('0', '0'),
        KeyCode::KEY_KP1 => ('1', '1'),
        KeyCode::KEY_KP2 => ('2', '2'),
        KeyCode::KEY_KP3 => ('3', '3'),
        KeyCode::KEY_KP4 => ('4', '4'),
        KeyCode::KEY_KP5 => ('5', '5'),
        KeyCode::KEY_KP6 => ('6', '6'),
        KeyCode::KEY_KP7 => ('7', '7'),
        KeyCode::KEY_KP8 => ('8', '8'),
        KeyCode::KEY_KP9 => ('9', '9'),
        KeyCode::KEY_KPMINUS => ('-', '-'),
        KeyCode::KEY_KPPLUS => ('+', '+'),
        KeyCode::KEY_KPASTERISK => ('*', '*'),
        KeyCode::KEY_KPSLASH => ('/', '/'),
        KeyCode::KEY_KPDOT => ('.', '.'),
        _ => return letter(key).map(|c| (c, c.to_ascii_uppercase())),
    };
    Some(pair)
}

fn letter(key: KeyCode) -> Option<char> {
    const ROWS: [(KeyCode, char); 26] = [
        (KeyCode::KEY_A, 'a'),
        (KeyCode::KEY_B, 'b'),
        (KeyCode::KEY_C, 'c'),
        (KeyCode::KEY_D, 'd'),
        (KeyCode::KEY_E, 'e'),
        (KeyCode::KEY_F, 'f'),
        (KeyCode::KEY_G, 'g'),
        (KeyCode::KEY_H, 'h'),
        (KeyCode::KEY_I, 'i'),
        (KeyCode::KEY_J, 'j'),
        (KeyCode::KEY_K, 'k'),
        (KeyCode::KEY_L, 'l'),
        (KeyCode::KEY_M, 'm'),
        (KeyCode::KEY_N, 'n'),
        (KeyCode::KEY_O, 'o'),
        (KeyCode::KEY_P, 'p'),
        (KeyCode::KEY_Q, 'q'),
        (KeyCode::KEY_R, 'r'),
        (KeyCode::KEY_S, 's'),
        (KeyCode::KEY_T, 't'),
        (KeyCode::KEY_U, 'u'),
        (KeyCode::KEY_V, 'v'),
        (KeyCode::KEY_W, 'w'),
        (KeyCode::KEY_X, 'x'),
        (KeyCode::KEY_Y, 'y'),
        (KeyCode::KEY_Z, 'z'),
    ];
    ROWS.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// The key codes that type `c` on a US keyboard: (code, needs shift). For tests and pass-through.
pub fn us_key_for(c: char) -> Option<(u16, bool)> {
    (0u16..256).find_map(|code| match us_character(code) {
        Some((plain, _)) if plain == c && !is_keypad(code) => Some((code, false)),
        Some((plain, shifted)) if shifted == c && plain != shifted && !is_keypad(code) => {
            Some((code, true))
        }
        _ => None,
    })
}

fn is_keypad(code: u16) -> bool {
    matches!(
        KeyCode(code),
        KeyCode::KEY_KP0
            | KeyCode::KEY_KP1
            | KeyCode::KEY_KP2
            | KeyCode::KEY_KP3
            | KeyCode::KEY_KP4
            | KeyCode::KEY_KP5
            | KeyCode::KEY_KP6
            | KeyCode::KEY_KP7
            | KeyCode::KEY_KP8
            | KeyCode::KEY_KP9
            | KeyCode::KEY_KPMINUS
            | KeyCode::KEY_KPPLUS
            | KeyCode::KEY_KPASTERISK
            | KeyCode::KEY_KPSLASH
            | KeyCode::KEY_KPDOT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_ascii_character_round_trips() {
        for c in (' '..='~').filter(|c| *c != ' ') {
            let (code, shift) = us_key_for(c).unwrap_or_else(|| panic!("no key for {c:?}"));
            let (plain, shifted) = us_character(code).unwrap();
            assert_eq!(if shift { shifted } else { plain }, c);
        }
    }
}

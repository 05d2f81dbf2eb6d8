"""The demo commune's coordination programmes, tasks and dialogues: the same story as its
surveys (the Farmers' Union slips in 2025 and now also misses deadlines).

A task's outcome is "on_time" (done a few days before its due date), "late N" (done N days
after it), "open" (still being done: overdue once its due date has passed) or
"cancelled <reason>".
"""

# key, year, title, topic, parties (organization codes), with the commune People's Committee
PROGRAMMES = (
    (
        "giamngheo-2024",
        2024,
        "Chương trình phối hợp thực hiện giảm nghèo bền vững năm 2024",
        "Giảm nghèo bền vững",
        ("mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh"),
        True,
    ),
    (
        "giamsat-2024",
        2024,
        "Chương trình phối hợp giám sát và phản biện xã hội năm 2024",
        "Giám sát, phản biện xã hội",
        ("mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh"),
        False,
    ),
    (
        "giamngheo-2025",
        2025,
        "Chương trình phối hợp thực hiện giảm nghèo bền vững năm 2025",
        "Giảm nghèo bền vững",
        ("mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh"),
        True,
    ),
    (
        "nongthonmoi-2025",
        2025,
        "Chương trình phối hợp vận động xây dựng nông thôn mới năm 2025",
        "Nông thôn mới",
        ("mttq", "nongdan", "phunu", "doanthanhnien"),
        True,
    ),
    (
        "giamsat-2025",
        2025,
        "Chương trình phối hợp giám sát và phản biện xã hội năm 2025",
        "Giám sát, phản biện xã hội",
        ("mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh"),
        False,
    ),
)

# The person responsible for each organization's tasks ("rõ người").
OWNERS = {
    "mttq": "Võ Thị Hoa, Chủ tịch Ủy ban MTTQ xã",
    "nongdan": "Phạm Văn Thành, Chủ tịch Hội Nông dân xã",
    "phunu": "Nguyễn Thị Mai, Chủ tịch Hội LHPN xã",
    "doanthanhnien": "Rơ Châm Tuấn, Bí thư Đoàn xã",
    "cuuchienbinh": "Đinh Văn Sơn, Chủ tịch Hội CCB xã",
}

# programme key, organization, title, supporting parties, start (month, day), due (month, day),
# outcome
TASKS = (
    # 2024: every organization on time, one task cancelled by the storm.
    (
        "giamngheo-2024",
        "mttq",
        "Rà soát danh sách hộ nghèo, cận nghèo",
        "UBND xã, các thôn",
        (1, 15),
        (3, 31),
        "on_time",
    ),
    (
        "giamngheo-2024",
        "nongdan",
        "Hướng dẫn hội viên vay vốn chính sách",
        "Ngân hàng CSXH",
        (2, 1),
        (6, 30),
        "on_time",
    ),
    (
        "giamngheo-2024",
        "phunu",
        "Hội thi “Phụ nữ làm kinh tế giỏi”",
        "Đoàn Thanh niên",
        (5, 1),
        (9, 15),
        "cancelled Hoãn vì bão số 3 gây ngập các thôn.",
    ),
    (
        "giamngheo-2024",
        "phunu",
        "Thành lập tổ tiết kiệm, vay vốn xoay vòng",
        "",
        (3, 1),
        (8, 31),
        "on_time",
    ),
    (
        "giamngheo-2024",
        "doanthanhnien",
        "Tình nguyện sửa nhà cho hộ khó khăn",
        "Hội CCB",
        (6, 1),
        (8, 15),
        "on_time",
    ),
    (
        "giamngheo-2024",
        "cuuchienbinh",
        "Thăm hỏi cựu chiến binh già yếu, neo đơn",
        "",
        (1, 10),
        (12, 15),
        "on_time",
    ),
    (
        "giamsat-2024",
        "mttq",
        "Giám sát việc chi trả trợ cấp xã hội",
        "UBND xã",
        (4, 1),
        (10, 31),
        "on_time",
    ),
    (
        "giamsat-2024",
        "nongdan",
        "Giám sát chất lượng giống, phân bón hỗ trợ",
        "MTTQ xã",
        (3, 1),
        (9, 30),
        "on_time",
    ),
    (
        "giamsat-2024",
        "cuuchienbinh",
        "Giám sát công khai các khoản đóng góp ở thôn",
        "MTTQ xã",
        (5, 1),
        (11, 30),
        "on_time",
    ),
    # 2025: the Farmers' Union one task late, one still not done; the others on time.
    (
        "giamngheo-2025",
        "mttq",
        "Rà soát danh sách hộ nghèo, cận nghèo",
        "UBND xã, các thôn",
        (1, 15),
        (3, 31),
        "on_time",
    ),
    (
        "giamngheo-2025",
        "nongdan",
        "Liên kết mua chung phân bón cho hội viên",
        "Đại lý vật tư",
        (2, 1),
        (5, 31),
        "late 24",
    ),
    (
        "giamngheo-2025",
        "nongdan",
        "Mở lớp tập huấn kỹ thuật chăn nuôi tại thôn",
        "Trạm khuyến nông",
        (3, 1),
        (9, 30),
        "open",
    ),
    (
        "giamngheo-2025",
        "phunu",
        "Vận động sửa nhà cho hộ khó khăn trước mùa mưa",
        "Đoàn Thanh niên",
        (4, 1),
        (8, 31),
        "on_time",
    ),
    (
        "giamngheo-2025",
        "phunu",
        "Thành lập thêm 2 tổ tiết kiệm, vay vốn xoay vòng",
        "",
        (10, 15),
        (12, 20),
        "on_time",
    ),
    (
        "giamngheo-2025",
        "doanthanhnien",
        "Lập nhóm sinh hoạt trực tuyến cho đoàn viên đi làm xa",
        "",
        (3, 1),
        (6, 30),
        "on_time",
    ),
    (
        "giamngheo-2025",
        "cuuchienbinh",
        "Lập tổ thăm hỏi cựu chiến binh neo đơn",
        "",
        (1, 10),
        (4, 30),
        "on_time",
    ),
    (
        "nongthonmoi-2025",
        "mttq",
        "Vận động lắp đèn đường đoạn gần trường học",
        "UBND xã, Thôn 4",
        (6, 1),
        (12, 15),
        "on_time",
    ),
    (
        "nongthonmoi-2025",
        "nongdan",
        "Kiến nghị sửa đường vào khu sản xuất",
        "UBND xã",
        (4, 1),
        (11, 30),
        "open",
    ),
    (
        "nongthonmoi-2025",
        "doanthanhnien",
        "Ra quân làm đường giao thông nông thôn",
        "Hội CCB",
        (6, 1),
        (8, 31),
        "on_time",
    ),
    (
        "giamsat-2025",
        "mttq",
        "Giám sát việc cấp nước sinh hoạt mùa khô",
        "UBND xã",
        (2, 1),
        (6, 30),
        "on_time",
    ),
    (
        "giamsat-2025",
        "phunu",
        "Giám sát công khai các khoản đóng góp ở thôn",
        "MTTQ xã",
        (3, 1),
        (9, 30),
        "on_time",
    ),
    (
        "giamsat-2025",
        "cuuchienbinh",
        "Giám sát việc chi trả chế độ người có công",
        "UBND xã",
        (4, 1),
        (10, 31),
        "on_time",
    ),
)

# Progress notes on tasks (programme key, task title): (month, day, text).
NOTES = {
    ("giamngheo-2025", "Mở lớp tập huấn kỹ thuật chăn nuôi tại thôn"): (
        (5, 12, "Đã làm việc với Trạm khuyến nông, chờ kinh phí."),
        (10, 20, "Chưa mở được lớp nào; dời sang quý I năm sau."),
    ),
    ("nongthonmoi-2025", "Kiến nghị sửa đường vào khu sản xuất"): (
        (6, 3, "Đã gửi văn bản kiến nghị đến UBND xã."),
    ),
    ("giamngheo-2025", "Vận động sửa nhà cho hộ khó khăn trước mùa mưa"): (
        (6, 15, "Đã khảo sát 5 hộ, chọn 3 hộ khó khăn nhất."),
        (8, 25, "Sửa xong 3 nhà với 140 ngày công của hội viên và đoàn viên."),
    ),
}

# Feedback items answered by a task: (organization, text the item begins with) -> task; an
# item received before a done task was done (the surveys take answers in October and November).
FEEDBACK_TASKS = (
    (
        "phunu",
        "Chị em mong có thêm tổ tiết kiệm",
        "giamngheo-2025",
        "Thành lập thêm 2 tổ tiết kiệm, vay vốn xoay vòng",
    ),
    (
        "mttq",
        "Kiến nghị lắp thêm đèn đường",
        "nongthonmoi-2025",
        "Vận động lắp đèn đường đoạn gần trường học",
    ),
    (
        "nongdan",
        "Đường vào khu sản xuất",
        "nongthonmoi-2025",
        "Kiến nghị sửa đường vào khu sản xuất",
    ),
    (
        "nongdan",
        "Đề nghị tổ chức thêm lớp hướng dẫn kỹ thuật",
        "giamngheo-2025",
        "Mở lớp tập huấn kỹ thuật chăn nuôi tại thôn",
    ),
)

# The issues people raise at dialogues, with the answer given on the spot ("" when none).
ISSUES = (
    ("Đường vào khu sản xuất lầy lội mùa mưa.", ""),
    ("Khi nào có lớp tập huấn trồng cà phê?", "Tháng sau Hội phối hợp Trạm khuyến nông mở lớp."),
    ("Thủ tục vay vốn còn rườm rà.", "Cán bộ Ngân hàng CSXH sẽ hướng dẫn tại nhà văn hóa thôn."),
    ("Mùa khô thiếu nước sinh hoạt.", ""),
    ("Đèn đường gần trường học bị hỏng.", ""),
    ("Thông báo của xã nên đọc thêm bằng tiếng Bahnar.", "Từ tháng này loa thôn đọc song ngữ."),
)

# Dialogue titles by kind.
DIALOGUE_TITLES = {
    "dialogue": "Đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",
    "voter_contact": "Tiếp xúc cử tri trước kỳ họp Hội đồng nhân dân xã",
}
LEADERS = "Bí thư Đảng ủy xã, Chủ tịch UBND xã"

# Evidence files: (programme key, task title): (kind, file name, caption, public with replies)
EVIDENCE = {
    ("giamngheo-2025", "Thành lập thêm 2 tổ tiết kiệm, vay vốn xoay vòng"): (
        "photo",
        "to-tiet-kiem-thon-3.jpg",
        "Ra mắt tổ tiết kiệm ở Thôn 3",
        True,
    ),
    ("giamngheo-2025", "Vận động sửa nhà cho hộ khó khăn trước mùa mưa"): (
        "photo",
        "nha-ba-hlan.jpg",
        "Nhà bà H'Lan sau khi sửa",
        True,
    ),
    ("nongthonmoi-2025", "Vận động lắp đèn đường đoạn gần trường học"): (
        "photo",
        "den-duong-gan-truong.jpg",
        "Đèn đường đoạn gần trường học đã sáng",
        True,
    ),
    ("nongthonmoi-2025", "Ra quân làm đường giao thông nông thôn"): (
        "minutes",
        "bien-ban-ra-quan.pdf",
        "Biên bản ra quân làm đường",
        False,
    ),
}
